#!/usr/bin/env node
// Completes package-lock.json with entries for other platforms' optional native packages.
//
// Why: the npm registry this machine kind reaches does not serve packages for other platforms
// (e.g. @next/swc-darwin-arm64 answers 404), so `npm install` here writes a lock file without
// them, and `npm ci` then refuses that very lock file ("Missing: ... from lock file"). Each stub
// carries the os/cpu/libc the package is built for, so npm ci skips it on this platform without
// fetching it, exactly as it does for a lock written on a machine that could see them.
//
// Usage: node bin/lock-platform-stubs.mjs [--check]   (--check: exit 1 if stubs are missing)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const OS = new Set(['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony']);
const CPU = new Set(['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32']);
const LIBC = { gnu: 'glibc', gnueabihf: 'glibc', musl: 'musl', musleabihf: 'musl', msvc: null, eabi: null, wasi: null };

/** Platform fields for a package name such as "@rollup/rollup-linux-arm-musleabihf"; null if it is not one. */
export function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.filter((t) => OS.has(t));
  const cpu = tokens.filter((t) => CPU.has(t));
  const libcTokens = tokens.filter((t) => t in LIBC).map((t) => LIBC[t]).filter(Boolean);
  if (cpu.length === 0 && os.length === 0) return null;
  const out = {};
  if (cpu.length) out.cpu = [cpu[0]];
  if (os.length) out.os = [os[0]];
  if (libcTokens.length) out.libc = [libcTokens[0]];
  return out;
}

function resolveFrom(packages, fromPath, name) {
  let dir = fromPath;
  for (;;) {
    const candidate = (dir ? `${dir}/` : '') + `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

/** Returns the list of stub keys added to lock.packages (mutates lock). */
export function addStubs(lock) {
  const packages = lock.packages;
  const added = [];
  for (const [from, entry] of Object.entries({ ...packages })) {
    for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
      if (resolveFrom(packages, from, name)) continue;
      const platform = platformOf(name);
      if (!platform) throw new Error(`${from || '(root)'}: optional dependency ${name} is missing from the lock and is not a platform package; run npm install on a machine that can fetch it`);
      if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) throw new Error(`${name}: optional dependency range ${spec} is not an exact version`);
      const key = packages[`node_modules/${name}`] ? `${from}/node_modules/${name}` : `node_modules/${name}`;
      packages[key] = { version: spec, ...platform, dev: entry.dev || undefined, license: entry.license, optional: true };
      added.push(key);
    }
  }
  const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))));
  lock.packages = sorted;
  return added;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json');
  const lock = JSON.parse(readFileSync(file, 'utf8'));
  const added = addStubs(lock);
  if (process.argv.includes('--check')) {
    if (added.length) {
      console.error(`package-lock.json lacks ${added.length} platform stub(s), e.g. ${added[0]}; run: node bin/lock-platform-stubs.mjs`);
      process.exit(1);
    }
  } else if (added.length) {
    writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`lock-platform-stubs: added ${added.length} entries for other platforms' optional packages`);
  }
}
