/**
 * Builds the configured provider. Azure without a key signs in with
 * Microsoft Entra ID through @azure/identity's standard credential chain
 * (DefaultAzureCredential: environment, workload identity, managed identity,
 * Azure CLI, …); its token provider caches and refreshes tokens.
 */
import { DefaultAzureCredential, getBearerTokenProvider, type TokenCredential } from '@azure/identity';
import type { ServerConfig } from '../config.js';
import { emulatorProvider } from './emulator.js';
import { GaProvider } from './ga-provider.js';
import type { RealtimeProvider } from './provider.js';

/** The scope of Azure OpenAI / Foundry data-plane tokens. */
export const AZURE_SCOPE = 'https://cognitiveservices.azure.com/.default';

export interface ProviderDeps {
  /** For Entra ID; default DefaultAzureCredential. Tests inject one. */
  credential?: TokenCredential;
  /** Where the embedded emulator answers (npm start), and the calls URL the browser uses for it. */
  emulator?: { baseUrl: string; publicCallsUrl?: string };
}

export function createProvider(config: ServerConfig, deps: ProviderDeps = {}): RealtimeProvider {
  const timeoutMs = config.upstreamTimeoutMs;
  switch (config.provider) {
    case 'azure': {
      const azure = config.azure!;
      const auth = azure.apiKey
        ? ({ kind: 'api-key', key: azure.apiKey } as const)
        : ({
            kind: 'token',
            getToken: getBearerTokenProvider(deps.credential ?? new DefaultAzureCredential(), AZURE_SCOPE),
          } as const);
      return new GaProvider({
        name: 'azure',
        baseUrl: `${azure.endpoint}/openai/v1`,
        auth,
        model: azure.deployment,
        timeoutMs,
      });
    }
    case 'openai': {
      const openai = config.openai!;
      return new GaProvider({
        name: 'openai',
        baseUrl: openai.baseUrl,
        auth: { kind: 'bearer', key: openai.apiKey },
        model: openai.model,
        timeoutMs,
      });
    }
    case 'emulator': {
      const emulator = deps.emulator ?? { baseUrl: 'http://127.0.0.1:8787' };
      return emulatorProvider(emulator.baseUrl, { publicCallsUrl: emulator.publicCallsUrl, timeoutMs });
    }
  }
}
