import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkKnownHosts,
  fingerprintSha256,
  hostKeyAlgorithmsFor,
  hostMatches,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypesFor,
  parseKnownHosts,
} from './host-key';
import { keygen } from './test-sshd';

// Real keys from ssh-keygen; our fingerprints must equal `ssh-keygen -lf`.

let dir = '';
const keys: Record<string, { pub: string; fingerprint: string; blob: Buffer; type: string }> = {};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lvsc-hostkey-'));
  for (const [name, type] of [
    ['ed', 'ed25519'],
    ['ed2', 'ed25519'],
    ['ec', 'ecdsa'],
    ['rsa', 'rsa'],
  ] as const) {
    const k = keygen(path.join(dir, name), type);
    const [kt, b64] = k.pub.split(' ');
    keys[name] = { ...k, blob: Buffer.from(b64 ?? '', 'base64'), type: kt ?? '' };
  }
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function key(name: string): { pub: string; fingerprint: string; blob: Buffer; type: string } {
  const k = keys[name];
  if (!k) throw new Error(`no key ${name}`);
  return k;
}
/** "type base64" of a key, for known_hosts lines. */
function kh(name: string): string {
  return key(name).pub.split(' ').slice(0, 2).join(' ');
}

describe('fingerprintSha256', () => {
  it.each(['ed', 'ec', 'rsa'])('matches ssh-keygen -lf for %s', (name) => {
    const k = key(name);
    expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintSha256(k.blob)).toBe(k.fingerprint);
  });
  it('reads the key type inside a blob', () => {
    expect(keyTypeOfBlob(key('ed').blob)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(key('ec').blob)).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOfBlob(key('rsa').blob)).toBe('ssh-rsa');
    expect(keyTypeOfBlob(Buffer.from([0, 0, 0, 99, 1]))).toBeNull();
  });
});

describe('known_hosts', () => {
  it('names hosts like OpenSSH', () => {
    expect(knownHostsName('dir1.example', 22)).toBe('dir1.example');
    expect(knownHostsName('127.0.0.1', 2201)).toBe('[127.0.0.1]:2201');
  });

  it('matches plain, [host]:port, wildcard and negated patterns', () => {
    const text = [
      '# comment',
      '',
      `dir1.example,192.0.2.2 ${kh('ed')}`,
      `[127.0.0.1]:2201 ${kh('ed')} comment here`,
      `*.lab.example,!evil.lab.example ${kh('ec')}`,
      `garbage line`,
      `host ssh-ed25519 not*base64`,
      `host ssh-rsa ${kh('ed').split(' ')[1]}`,
      `@bogus host ${kh('ed')}`,
    ].join('\n');
    const p = parseKnownHosts(text);
    expect(p.entries).toHaveLength(3);
    expect(p.notes).toHaveLength(4);
    expect(checkKnownHosts(p, 'dir1.example', 22, key('ed').blob)).toMatchObject({ verdict: 'match', line: 3 });
    expect(checkKnownHosts(p, '192.0.2.2', 22, key('ed').blob).verdict).toBe('match');
    expect(checkKnownHosts(p, '127.0.0.1', 2201, key('ed').blob)).toMatchObject({ verdict: 'match', line: 4 });
    // Same address, other port: not listed.
    expect(checkKnownHosts(p, '127.0.0.1', 2202, key('ed').blob).verdict).toBe('unknown');
    expect(checkKnownHosts(p, '127.0.0.1', 22, key('ed').blob).verdict).toBe('unknown');
    expect(checkKnownHosts(p, 'DIR1.example', 22, key('ed').blob).verdict).toBe('match');
    expect(checkKnownHosts(p, 'a.lab.example', 22, key('ec').blob).verdict).toBe('match');
    expect(checkKnownHosts(p, 'evil.lab.example', 22, key('ec').blob).verdict).toBe('unknown');
    expect(checkKnownHosts(p, 'unknown.example', 22, key('ed').blob)).toEqual({ verdict: 'unknown', presented: key('ed').fingerprint });
  });

  it('reports a mismatch with the expected fingerprints', () => {
    const p = parseKnownHosts(`[127.0.0.1]:2201 ${kh('ed')}\n[127.0.0.1]:2201 ${kh('rsa')}\n`);
    expect(checkKnownHosts(p, '127.0.0.1', 2201, key('ed2').blob)).toEqual({
      verdict: 'mismatch',
      presented: key('ed2').fingerprint,
      expected: [key('ed').fingerprint, key('rsa').fingerprint],
    });
    expect(knownKeyTypesFor(p, '127.0.0.1', 2201).sort()).toEqual(['ssh-ed25519', 'ssh-rsa']);
    expect(hostKeyAlgorithmsFor(['ssh-rsa', 'ssh-ed25519'])).toEqual(['ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const file = path.join(dir, 'known_hosts_hashed');
    writeFileSync(file, `[127.0.0.1]:2201 ${kh('ed')}\ndir2.example ${kh('ec')}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('127.0.0.1');
    expect(text).toMatch(/^\|1\|/);
    const p = parseKnownHosts(text);
    expect(p.entries.every((e) => e.hosts.kind === 'hashed')).toBe(true);
    expect(checkKnownHosts(p, '127.0.0.1', 2201, key('ed').blob).verdict).toBe('match');
    expect(checkKnownHosts(p, 'dir2.example', 22, key('ec').blob).verdict).toBe('match');
    expect(checkKnownHosts(p, 'dir2.example', 22, key('ed').blob).verdict).toBe('mismatch');
    expect(checkKnownHosts(p, '127.0.0.1', 2202, key('ed').blob).verdict).toBe('unknown');
    // ssh-keygen -F agrees on what is listed.
    expect(() => execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2201', '-f', file], { stdio: 'ignore' })).not.toThrow();
  });

  it('honours @revoked and ignores @cert-authority with a note', () => {
    const text = [`@revoked * ${kh('ed2')}`, `[127.0.0.1]:2201 ${kh('ed2')}`, `@cert-authority *.example ${kh('rsa')}`].join('\n');
    const p = parseKnownHosts(text);
    expect(checkKnownHosts(p, '127.0.0.1', 2201, key('ed2').blob)).toMatchObject({ verdict: 'revoked', line: 1 });
    expect(p.notes.some((n) => n.includes('@cert-authority'))).toBe(true);
    // A CA line never makes a host key trusted.
    expect(checkKnownHosts(p, 'x.example', 22, key('rsa').blob).verdict).toBe('unknown');
  });

  it('hostMatches handles ? and * like OpenSSH', () => {
    const plain = (ps: string[]) => ({ kind: 'plain' as const, patterns: ps });
    expect(hostMatches(plain(['dir?.lab']), 'dir1.lab')).toBe(true);
    expect(hostMatches(plain(['dir?.lab']), 'dir10.lab')).toBe(false);
    expect(hostMatches(plain(['[192.0.2.*]:2201']), '[192.0.2.7]:2201')).toBe(true);
    expect(hostMatches(plain(['*']), 'anything')).toBe(true);
    expect(hostMatches(plain(['!*']), 'anything')).toBe(false);
  });
});
