/**
 * Picks the provider from the environment (CONTRACT.md): `REALTIME_PROVIDER`,
 * else Azure when AZURE_OPENAI_ENDPOINT is set, OpenAI when OPENAI_API_KEY is
 * set, else the emulator. Keys stay in the request headers built here.
 */
import { emulatorProvider } from './emulator.js';
import { GaHttpProvider } from './ga-http.js';
import type { RealtimeProvider } from './provider.js';

export function providerFromEnv(env: NodeJS.ProcessEnv, emulatorBaseUrl: string): RealtimeProvider {
  const kind = env.REALTIME_PROVIDER ?? (env.AZURE_OPENAI_ENDPOINT ? 'azure' : env.OPENAI_API_KEY ? 'openai' : 'emulator');
  switch (kind) {
    case 'azure': {
      const endpoint = env.AZURE_OPENAI_ENDPOINT?.replace(/\/+$/, '');
      const key = env.AZURE_OPENAI_API_KEY;
      if (!endpoint) throw new Error('REALTIME_PROVIDER=azure needs AZURE_OPENAI_ENDPOINT (e.g. https://my-resource.openai.azure.com).');
      if (!key) throw new Error('AZURE_OPENAI_API_KEY is not set (Microsoft Entra ID sign-in comes with the reference server).');
      return new GaHttpProvider({ name: 'azure', baseUrl: `${endpoint}/openai/v1`, authHeaders: () => ({ 'api-key': key }), model: env.AZURE_OPENAI_DEPLOYMENT ?? 'gpt-realtime' });
    }
    case 'openai': {
      const key = env.OPENAI_API_KEY;
      if (!key) throw new Error('REALTIME_PROVIDER=openai needs OPENAI_API_KEY.');
      const base = (env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
      return new GaHttpProvider({ name: 'openai', baseUrl: base, authHeaders: () => ({ Authorization: `Bearer ${key}` }), model: env.OPENAI_REALTIME_MODEL ?? 'gpt-realtime' });
    }
    case 'emulator':
      return emulatorProvider(emulatorBaseUrl, { publicCallsUrl: '/v1/realtime/calls' });
    default:
      throw new Error(`REALTIME_PROVIDER must be emulator, azure or openai (got "${kind}").`);
  }
}
