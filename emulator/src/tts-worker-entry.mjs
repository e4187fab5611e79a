// Plain JavaScript entry of the speech worker (tts-worker.ts): a worker thread does not inherit the
// parent's TypeScript loader (Node 20), so it registers tsx itself, then loads the worker's code.
import { register } from 'tsx/esm/api';

register();
await import('./tts-worker.ts');
