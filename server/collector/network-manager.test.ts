import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StepResult } from '@/server/ssh/exec';
import { NEW_NM_MEMO, NM_READ_EVERY_MS, networkManagerSteps, readNetworkManager, type NmMemo } from './network-manager';

const FIX = path.join(__dirname, '..', 'parsers', 'fixtures', 'nmcli');
const read = (f: string) => readFileSync(path.join(FIX, f), 'utf8');
const T = 1_800_000_000_000;
const ADDR = ['192.0.2.3', '198.51.100.3'];

const ok = (stdout: string) => ({ stdout, stderr: '', exitCode: 0, error: null }) as unknown as StepResult;
const failed = (message: string, exitCode = 8) => ({ stdout: '', stderr: message, exitCode, error: { message } }) as unknown as StepResult;
const names = (memo: NmMemo, addresses: string[] | null = ADDR, now = T) => networkManagerSteps(memo, addresses, now).map((c) => c.name);

describe('NetworkManager in the refresh', () => {
  it('first refresh looks for it; a director without it is never asked again (until a refresh fails)', () => {
    expect(names(NEW_NM_MEMO)).toEqual(['nmcliRunning', 'nmcliDevices', 'nmcliConnections']);
    const r = readNetworkManager([failed('Error: NetworkManager is not running.'), failed(''), failed('')], NEW_NM_MEMO, null, ADDR, T);
    expect(r.network).toEqual({ manager: 'none', readAt: T, devices: [], profiles: [], error: null });
    expect(r.memo.state).toBe('absent');
    expect(names(r.memo, ['203.0.113.9'], T + 10 * NM_READ_EVERY_MS)).toEqual([]);
    // no nmcli at all (exit 127) is the same "not managed by NetworkManager"
    expect(readNetworkManager([failed('nmcli: not found', 127)], NEW_NM_MEMO, null, ADDR, T).memo.state).toBe('absent');
  });

  it('reads devices and the list, then the profiles by UUID at the next refresh, then once a minute or on an address change', () => {
    const first = readNetworkManager([ok('running\n'), ok(read('lab-dir2-device.terse')), ok(read('lab-dir2-connection.terse'))], NEW_NM_MEMO, null, ADDR, T);
    expect(first.network?.manager).toBe('networkmanager');
    expect(first.network?.devices.map((d) => `${d.device}:${d.state}`)).toEqual(['eth0:connected', 'eth1:connected', 'lo:connected (externally)', 'tunl0:unmanaged']);
    expect(first.network?.profiles).toEqual([]); // settings not read yet
    expect(first.memo.readAt).toBeNull(); // so the next refresh reads them
    const steps = networkManagerSteps(first.memo, ADDR, T + 2000);
    expect(steps.map((c) => c.name)).toEqual(['nmcliRunning', 'nmcliDevices', 'nmcliConnections', 'nmcliProfiles']);
    expect(steps[3]?.argv.slice(-3)).toEqual(first.memo.uuids);

    const second = readNetworkManager(
      [ok('running\n'), ok(read('lab-dir2-device.terse')), ok(read('lab-dir2-connection.terse')), ok(read('lab-dir2-profiles.terse'))],
      first.memo, first.network, ADDR, T + 2000,
    );
    const eth0 = second.network?.profiles.find((p) => p.name === 'lab-eth0');
    expect(eth0).toMatchObject({ device: 'eth0', state: 'activated', ipv4Addresses: ['192.0.2.3/24'], ipv6Addresses: ['2001:db8::3/64'] });
    expect(second.memo.readAt).toBe(T + 2000);
    expect(names(second.memo, ADDR, T + 4000)).toEqual([]);
    expect(names(second.memo, [...ADDR, '192.0.2.100'], T + 4000)).toHaveLength(4); // a VIP came or went
    expect(names(second.memo, ADDR, T + 2000 + NM_READ_EVERY_MS)).toHaveLength(4);
  });

  it('a failed read keeps the last data, says why, and is not retried before the next minute', () => {
    const prev = { manager: 'networkmanager' as const, readAt: T - 60_000, devices: [{ device: 'eth0', type: 'ethernet', state: 'connected', connection: 'lab-eth0' }], profiles: [], error: null };
    const memo: NmMemo = { state: 'present', readAt: T - 60_000, uuids: [], addresses: JSON.stringify(ADDR) };
    const r = readNetworkManager([ok('running\n'), failed('Error: Could not create NMClient object.', 1), ok('')], memo, prev, ADDR, T);
    expect(r.network).toMatchObject({ manager: 'networkmanager', readAt: T - 60_000, devices: prev.devices, error: 'Error: Could not create NMClient object.' });
    expect(names(r.memo, ADDR, T + 2000)).toEqual([]);
    const garbled = readNetworkManager([ok('running\n'), ok('eth0:ethernet\n'), ok('')], memo, prev, ADDR, T);
    expect(garbled.network?.error).toMatch(/expected 4 ":"-separated fields/);
  });

  it('steps not added -> nothing changes', () => {
    const memo: NmMemo = { state: 'absent', readAt: T, uuids: [], addresses: '' };
    const prev = { manager: 'none' as const, readAt: T, devices: [], profiles: [], error: null };
    expect(readNetworkManager([], memo, prev, ADDR, T + 1)).toEqual({ network: prev, memo });
  });
});

describe('NetworkManager output from a hostile or broken director', () => {
  it('a profile list with a non-UUID is read without it: the next refresh asks only for well-formed UUIDs', () => {
    const list = 'evil:$(id);rm -rf /:802-3-ethernet:eth0:yes:activated:yes\nlab-eth0:5D7A3C2E-0b1f-4c47-9a51-2f0e6c1d0b02:802-3-ethernet:eth0:yes:activated:yes\n';
    const r = readNetworkManager([ok('running\n'), ok(read('lab-dir2-device.terse')), ok(list)], NEW_NM_MEMO, null, ADDR, T);
    expect(r.memo.uuids).toEqual(['5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02']);
    expect(networkManagerSteps(r.memo, ADDR, T + 2000).at(-1)?.argv.at(-1)).toBe('5d7a3c2e-0b1f-4c47-9a51-2f0e6c1d0b02');
  });
});
