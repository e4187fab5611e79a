/**
 * `npm run emulator`: the realtime service stand-in alone.
 * Port from `--port N`, else EMULATOR_PORT, else 8787. Prints its base URL.
 */
import { createEmulator } from './server.js';

const flag = process.argv.indexOf('--port');
const port = Number(flag > 0 ? process.argv[flag + 1] : (process.env.EMULATOR_PORT ?? 8787));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid port: ${flag > 0 ? process.argv[flag + 1] : process.env.EMULATOR_PORT}`);
  process.exit(1);
}
const host = process.env.EMULATOR_HOST ?? '127.0.0.1';
const ice = process.env.EMULATOR_ICE === 'loopback' ? 'loopback' : 'all';
const emulator = createEmulator({
  ice,
  apiKeys: process.env.EMULATOR_API_KEY ? [process.env.EMULATOR_API_KEY] : undefined,
  testHooks: process.env.EMULATOR_TEST_HOOKS === '1',
});
const base = await emulator.listen(port, host);
console.log(`realtime emulator: ${base}`);
console.log(`  OpenAI dialect: ${base}/v1/realtime/client_secrets, ${base}/v1/realtime/calls`);
console.log(`  Azure dialect:  ${base}/openai/v1/realtime/...`);
console.log(`  observer:       ws${base.slice(4)}/v1/realtime?call_id=rtc_…`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
