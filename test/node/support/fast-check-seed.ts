import fc from 'fast-check';

/**
 * The property tests run with a fixed seed, so that `npm test` (and CI) is
 * reproducible: a red run is the code's fault, not the dice's. To explore
 * further, run them with another seed: `FC_SEED=123 node --import tsx --test
 * test/node/server-fuzz.test.ts`, or `FC_SEED=random`. A failure prints its
 * seed and counterexample.
 */
const chosen = process.env.FC_SEED;
export const FC_SEED = chosen === 'random' ? Date.now() ^ (Math.random() * 0x100000000) : Number(chosen ?? 20261125);
fc.configureGlobal({ seed: FC_SEED });
