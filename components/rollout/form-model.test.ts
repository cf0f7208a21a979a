import { describe, expect, it } from 'vitest';
import type { MergedService } from '@/lib/models/cluster';
import { DEFAULT_FORM, filterChoices, formHosts, formRequest, hostChoices, MAX_LISTED_HOSTS, parseRamp } from './form-model';

const rs = (address: string, port: number) => ({ key: `${address}:${port}`, address, port }) as MergedService['realServers'][number];
const svc = (key: string, realServers: MergedService['realServers']) => ({ key, realServers }) as MergedService;

describe('hostChoices', () => {
  it('lists each real server address once with every service it serves, in address order', () => {
    const services = [
      svc('TCP 192.0.2.100:80', [rs('192.0.2.12', 80), rs('192.0.2.11', 80)]),
      svc('TCP 192.0.2.100:8080', [rs('192.0.2.11', 8080)]),
      svc('FWM 1', [rs('192.0.2.11', 0), rs('192.0.2.9', 0)]),
    ];
    expect(hostChoices({ services })).toEqual([
      { address: '192.0.2.9', services: ['FWM 1'] },
      { address: '192.0.2.11', services: ['TCP 192.0.2.100:80', 'TCP 192.0.2.100:8080', 'FWM 1'] },
      { address: '192.0.2.12', services: ['TCP 192.0.2.100:80'] },
    ]);
  });
});

describe('filterChoices', () => {
  const many = Array.from({ length: MAX_LISTED_HOSTS + 30 }, (_, i) => ({ address: `10.0.${Math.floor(i / 250)}.${i % 250}`, services: [i === 5 ? 'UDP 192.0.2.101:5353' : 'TCP 192.0.2.100:80'] }));
  it('lists at most MAX_LISTED_HOSTS and counts the rest', () => {
    const r = filterChoices(many, '', []);
    expect([r.choices.length, r.hidden]).toEqual([MAX_LISTED_HOSTS, 30]);
  });
  it('matches an address or a service, case-insensitively, and always keeps the ticked hosts', () => {
    const last = many[many.length - 1]?.address ?? '';
    const r = filterChoices(many, 'udp', [last]);
    expect(r.choices.map((c) => c.address)).toEqual(['10.0.0.5', last]);
    expect(r.hidden).toBe(0);
  });
});

describe('formHosts', () => {
  const choices = [
    { address: '192.0.2.11', services: [] },
    { address: '192.0.2.12', services: [] },
  ];
  it("takes the ticked hosts in the list's order, then the typed ones, each once", () => {
    expect(formHosts({ picked: ['192.0.2.12', '192.0.2.11'], typed: ' 192.0.2.21, 192.0.2.11  192.0.2.22;' }, choices)).toEqual(['192.0.2.11', '192.0.2.12', '192.0.2.21', '192.0.2.22']);
  });
  it('keeps a ticked host the snapshot no longer lists', () => {
    expect(formHosts({ picked: ['192.0.2.99'], typed: '' }, choices)).toEqual(['192.0.2.99']);
  });
});

describe('parseRamp', () => {
  it.each([
    ['10,25,50,100', [10, 25, 50, 100]],
    [' 10, 25 50 ,100 ', [10, 25, 50, 100]],
    ['100', [100]],
    ['', null],
    ['10,x,100', null],
    ['10.5,100', null],
  ])('%j -> %j', (text, ramp) => expect(parseRamp(text)).toEqual(ramp));
});

describe('formRequest', () => {
  const choices = [{ address: '192.0.2.11', services: ['TCP 192.0.2.100:80'] }];
  const filled = { ...DEFAULT_FORM, picked: ['192.0.2.11'], typed: '192.0.2.12', reason: ' e2e rollout ', ramp: '10,25,50,100', stepSeconds: '2', checkSeconds: '60' };

  it('makes the request the e2e rollout posts', () => {
    expect(formRequest(filled, choices, false)).toEqual({
      ok: true,
      body: {
        kind: 'rollout',
        hosts: ['192.0.2.11', '192.0.2.12'],
        batchSize: 1,
        reason: 'e2e rollout',
        maintenance: 'manual',
        ramp: [10, 25, 50, 100],
        stepSeconds: 2,
        drainDeadlineSeconds: 900,
        onDeadline: 'wait',
        checkSeconds: 60,
        checkNewConnections: true,
      },
    });
  });

  it('adds dryRun for a check, the ticket when given, and the timer only for timed maintenance', () => {
    const r = formRequest({ ...filled, ticket: 'OPS-18', maintenance: 'timer', maintenanceSeconds: '300' }, choices, true);
    expect(r.ok && r.body).toMatchObject({ dryRun: true, ticket: 'OPS-18', maintenance: 'timer', maintenanceSeconds: 300 });
    const manual = formRequest(filled, choices, false);
    expect(manual.ok && 'maintenanceSeconds' in manual.body).toBe(false);
  });

  it("says what is missing in the request schema's words", () => {
    const r = formRequest(DEFAULT_FORM, choices, false);
    expect(r).toEqual({ ok: false, problems: ['Hosts: name at least one host', 'Reason: reason is required: say why (it goes to the audit log)'] });
  });

  it('names a field that is not a whole number, and a ramp that does not end at 100', () => {
    expect(formRequest({ ...filled, batchSize: 'two', stepSeconds: '1.5' }, choices, false)).toEqual({
      ok: false,
      problems: ['Hosts per batch: a whole number of hosts', 'Seconds between ramp steps: a whole number of seconds'],
    });
    expect(formRequest({ ...filled, ramp: '10,50' }, choices, false)).toEqual({ ok: false, problems: ['Ramp: the last ramp step must be 100 (the weight it had)'] });
    expect(formRequest({ ...filled, ramp: '10,,x' }, choices, false)).toEqual({ ok: false, problems: ['Ramp: percentages separated by commas, e.g. 10,25,50,100'] });
  });
});
