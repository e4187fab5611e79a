/**
 * ICE candidate filtering. With `ice: "loopback"` (tests, CI) the emulator
 * offers only 127.0.0.1/::1 candidates and ignores the browser's others, so
 * every packet stays on the loopback interface. With `ice: "all"` (a person
 * running `npm start`) it offers every host address, like the service
 * offering its public one, so a browser without loopback flags connects.
 */
export type IcePolicy = 'loopback' | 'all';

const LOOPBACK = /^(127\.|::1$|localhost$)/;

export function filterCandidates(sdp: string, policy: IcePolicy): string {
  if (policy === 'all') return sdp;
  return sdp
    .split('\r\n')
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      const address = line.split(' ')[4] ?? '';
      return LOOPBACK.test(address);
    })
    .join('\r\n');
}

/**
 * The answer libwebrtc writes, trimmed of what the service's answers never
 * carry and a client can notice (answers captured from api.openai.com): no RTP
 * header extensions (so no `ssrc-audio-level` for a page to read levels from
 * getSynchronizationSources()), and no `a=ice-options:trickle` (the service
 * trickles nothing: `pc.canTrickleIceCandidates` is false there). Applied to
 * the local description itself, so what the emulator sends matches what it said.
 */
export function serviceLikeAnswer(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=extmap:') && line !== 'a=ice-options:trickle')
    .join('\r\n');
}

/** The audio codecs of the service's answers, in its order (no RED, ISAC, G722, CN or telephone-event). */
export const SERVICE_AUDIO_CODECS = ['audio/opus', 'audio/PCMU', 'audio/PCMA'];
