#!/usr/bin/env node
// Our npm registry mirror carries native binaries only for the platforms it serves, so `npm install`
// leaves the other platforms' optional packages (@swc/core-darwin-arm64, ...) out of
// package-lock.json, and `npm ci` then refuses the lock as out of sync. This adds the entries a full
// registry would have produced: exact version, `optional`, and the os/cpu/libc that make npm skip them
// everywhere else. On a laptop of that platform npm resolves them from its registry as usual.
// Run after any change to dependencies: `npm install ... && node scripts/completeLockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'netbsd', 'openbsd', 'sunos', 'aix'];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

/** `@swc/core-linux-arm-gnueabihf` → { os: ['linux'], cpu: ['arm'], libc: ['glibc'] } */
export function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  for (let i = 0; i < parts.length - 1; i++) {
    if (OS.includes(parts[i]) && CPU.includes(parts[i + 1])) {
      const abi = parts[i + 2] ?? '';
      const libc = parts[i] !== 'linux' ? undefined : abi.startsWith('musl') ? 'musl' : 'glibc';
      return { os: [parts[i]], cpu: [parts[i + 1]], ...(libc ? { libc: [libc] } : {}) };
    }
  }
  return undefined;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const added = [];
for (const [where, pkg] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(pkg.optionalDependencies ?? {})) {
    const nested = `${where ? `${where}/` : ''}node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[`node_modules/${name}`]) continue;
    const platform = platformOf(name);
    if (!platform) throw new Error(`${name} (optional dependency of ${where}) is missing from the lock and is not a platform binary`);
    const version = spec.replace(/^[\^~=]/, '');
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) throw new Error(`${name}@${spec}: not an exact version`);
    lock.packages[`node_modules/${name}`] = { version, optional: true, ...platform };
    added.push(`${name}@${version}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(added.length ? `added ${added.length} platform entries: ${added.join(', ')}\n` : 'lockfile already complete\n');
