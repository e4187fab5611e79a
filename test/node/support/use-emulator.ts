/**
 * One emulator (loopback ICE) for a test file, closed with every client the
 * file made; the file's process then exits explicitly (see exit-when-done.ts).
 */
import { after, before } from 'node:test';
import { createEmulator, type Emulator } from '../../../emulator/src/server.ts';
import { exitWhenDone } from './exit-when-done.ts';
import { WrtcClient } from './wrtc-client.ts';

export interface EmulatorContext {
  readonly emulator: Emulator;
  readonly base: string;
  readonly clients: WrtcClient[];
  /** A new wrtc client, closed after the file's tests. */
  client(label?: string): WrtcClient;
}

export function useEmulator(): EmulatorContext {
  let emulator: Emulator | undefined;
  let base = '';
  const clients: WrtcClient[] = [];
  exitWhenDone();
  before(async () => {
    emulator = createEmulator({ ice: 'loopback' });
    base = await emulator.listen(0);
  });
  after(async () => {
    clients.forEach((c) => c.close());
    await emulator?.close();
  });
  return {
    get emulator() {
      return emulator!;
    },
    get base() {
      return base;
    },
    clients,
    client(label?: string) {
      const c = new WrtcClient(label);
      clients.push(c);
      return c;
    },
  };
}
