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
