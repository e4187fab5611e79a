/** The embedded emulator as a provider: the GA HTTP API at a local base URL, with a local key. */
import { GaHttpProvider } from './ga-http.js';

export const EMULATOR_API_KEY = 'emulator-local-key';

export function emulatorProvider(baseUrl: string, options: { publicCallsUrl?: string; model?: string } = {}): GaHttpProvider {
  return new GaHttpProvider({
    name: 'emulator',
    baseUrl: `${baseUrl}/v1`,
    authHeaders: () => ({ Authorization: `Bearer ${EMULATOR_API_KEY}` }),
    model: options.model ?? 'gpt-realtime',
    publicCallsUrl: options.publicCallsUrl,
  });
}
