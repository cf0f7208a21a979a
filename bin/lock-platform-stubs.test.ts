import { describe, expect, it } from 'vitest';
import { addStubs, platformOf } from './lock-platform-stubs.mjs';
import lockFile from '../package-lock.json';

describe('lock-platform-stubs', () => {
  it('derives os, cpu and libc from platform package names', () => {
    expect(platformOf('@rollup/rollup-linux-arm-musleabihf')).toEqual({ cpu: ['arm'], os: ['linux'], libc: ['musl'] });
    expect(platformOf('@next/swc-darwin-arm64')).toEqual({ cpu: ['arm64'], os: ['darwin'] });
    expect(platformOf('@tailwindcss/oxide-wasm32-wasi')).toEqual({ cpu: ['wasm32'] });
    expect(platformOf('@next/swc-win32-x64-msvc')).toEqual({ cpu: ['x64'], os: ['win32'] });
    expect(platformOf('left-pad')).toBeNull();
  });

  it('adds a stub for a missing platform package and refuses a missing ordinary one', () => {
    const lock = { packages: { '': { name: 'x' }, 'node_modules/a': { version: '1.0.0', optionalDependencies: { '@a/a-darwin-x64': '1.0.0' } } } };
    expect(addStubs(lock)).toEqual(['node_modules/@a/a-darwin-x64']);
    expect(lock.packages['node_modules/@a/a-darwin-x64' as keyof typeof lock.packages]).toMatchObject({ version: '1.0.0', os: ['darwin'], cpu: ['x64'], optional: true });
    const bad = { packages: { '': {}, 'node_modules/a': { optionalDependencies: { 'plain-thing': '1.0.0' } } } };
    expect(() => addStubs(bad)).toThrow(/plain-thing .*not a platform package/);
  });

  it('finds nothing missing in the committed package-lock.json', () => {
    expect(addStubs(structuredClone(lockFile))).toEqual([]);
  });
});
