/** The embedded emulator as a provider: the GA API at a local base URL, with a local key. */
import { GaProvider } from './ga-provider.js';

export const EMULATOR_API_KEY = 'emulator-local-key';

export function emulatorProvider(
  baseUrl: string,
  options: { publicCallsUrl?: string; model?: string; timeoutMs?: number } = {},
): GaProvider {
  return new GaProvider({
    name: 'emulator',
    baseUrl: `${baseUrl}/v1`,
    auth: { kind: 'bearer', key: EMULATOR_API_KEY },
    model: options.model ?? 'gpt-realtime',
    publicCallsUrl: options.publicCallsUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
  });
}
