// Dependencies pinned by the lockfile. `npm audit` needs the registry's bulk
// advisory endpoint, which this machine cannot reach (it answers 405), so
// this is what is checked offline instead: every package is locked to one
// exact version with a sha512 integrity hash (npm ci refuses a tarball that
// does not match), nothing comes from git, a URL or the file system, the
// lockfile agrees with every package.json, and the installed production tree
// (what the widget and the reference server ship with) is complete and valid.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const manifest = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

test('every locked package has one exact version and a sha512 integrity hash, and comes from the registry', (t) => {
  assert.ok(lock.lockfileVersion >= 3, `lockfileVersion ${lock.lockfileVersion}`);
  const packages = Object.entries(lock.packages).filter(
    ([path, entry]) => path.startsWith('node_modules/') && !entry.link,
  );
  assert.ok(packages.length > 500, `${packages.length} packages`);
  const problems = packages.flatMap(([path, entry]) => [
    ...(/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(entry.version ?? '') ? [] : [`${path}: version ${entry.version}`]),
    ...(/^sha512-[A-Za-z0-9+/]{86}==$/.test(entry.integrity ?? '') ? [] : [`${path}: integrity ${entry.integrity}`]),
    // .npmrc omits registry URLs from the lockfile; any `resolved` left would be a git, file or tarball source.
    ...(entry.resolved && !entry.resolved.startsWith('https://registry.npmjs.org/')
      ? [`${path}: from ${entry.resolved}`]
      : []),
  ]);
  assert.deepEqual(problems, []);
  const links = Object.entries(lock.packages).filter(([, entry]) => entry.link);
  assert.deepEqual(
    links.map(([path, entry]) => `${path} -> ${entry.resolved}`),
    ['node_modules/realtime-voice-server -> server'],
    'the only link is the server workspace',
  );
  t.diagnostic(
    `${packages.length} packages locked with sha512 integrity, ${packages.filter(([, e]) => !e.dev).length} outside dev-only`,
  );
});

test('the lockfile agrees with package.json and server/package.json (npm ci would refuse it otherwise)', () => {
  const root = manifest('package.json');
  assert.deepEqual(lock.packages['']!.dependencies, root.dependencies);
  assert.deepEqual(lock.packages['']!.devDependencies, root.devDependencies);
  assert.deepEqual(lock.packages.server!.dependencies, manifest('server/package.json').dependencies);
});

test('the installed production tree (widget + reference server) is complete, valid and locked', (t) => {
  // Offline: npm ls reads node_modules and the lockfile only.
  const tree = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--all', '--json'], { encoding: 'utf8' })) as {
    problems?: string[];
    dependencies?: Record<string, NpmLsNode>;
  };
  assert.deepEqual(tree.problems ?? [], []);
  const seen = new Set<string>();
  const walk = (node: { dependencies?: Record<string, NpmLsNode> }) => {
    for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
      assert.ok(!dep.missing && !dep.invalid, `${name}@${dep.version}: missing or invalid`);
      if (dep.version === undefined) continue; // an optional dependency for another platform, not installed here
      if (seen.has(`${name}@${dep.version}`)) continue;
      seen.add(`${name}@${dep.version}`);
      walk(dep);
    }
  };
  walk(tree);
  const lockedVersions = new Set(
    Object.entries(lock.packages).map(([path, e]) => `${path.split('node_modules/').pop()}@${e.version}`),
  );
  lockedVersions.add(`realtime-voice-server@${lock.packages.server!.version}`); // the workspace, locked as a link
  const unlocked = [...seen].filter((id) => !lockedVersions.has(id));
  assert.deepEqual(unlocked, [], 'every production package is in the lockfile at that version');
  assert.ok(
    seen.has(`lit@${lock.packages['node_modules/lit']!.version}`) && [...seen].some((id) => id.startsWith('express@')),
  );
  t.diagnostic(`${seen.size} production packages, all locked`);
});

interface NpmLsNode {
  version?: string;
  missing?: boolean;
  invalid?: boolean;
  dependencies?: Record<string, NpmLsNode>;
}
