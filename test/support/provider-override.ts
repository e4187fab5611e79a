/**
 * A realtime provider with some of its methods replaced and the rest handed
 * to the original: the impaired paths of the e2e tests and of the bench move
 * each call onto a UDP relay this way. Forwarded one by one, not through a
 * prototype or a spread: the providers are classes with private fields, and
 * their methods live on the prototype.
 */
import type { RealtimeProvider } from '../../server/src/providers/provider.ts';

export function overrideProvider(provider: RealtimeProvider, overrides: Partial<RealtimeProvider>): RealtimeProvider {
  return {
    name: provider.name,
    createClientSecret: (session, signal) => provider.createClientSecret(session, signal),
    callsUrl: (options) => provider.callsUrl(options),
    createCall: (offer, token, options, signal) => provider.createCall(offer, token, options, signal),
    observer: (callId) => provider.observer(callId),
    hangup: (callId) => provider.hangup(callId),
    ...overrides,
  };
}
