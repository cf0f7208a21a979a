import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HaproxyStats } from '@/lib/models/haproxy';
import { HaproxyStatParseError, parseHaproxyStat, splitCsvLine } from './haproxy-stat';

/** A quoted field with doubled quotes inside, then an empty field (hand-written). */
const QUOTED = ['"say ""hi"""', '', 'x'].join(',');
const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', 'haproxy', name), 'utf8');

describe('parseHaproxyStat (show stat, captured from the lab)', () => {
  it('reads the frontend, the backend and its three MariaDB servers as booted (mysql-check passing)', () => {
    const s = HaproxyStats.parse(parseHaproxyStat(fixture('show-stat-lab-dir1.csv')));
    expect(s.frontends).toEqual([{ name: 'mariadb', status: 'OPEN', currentSessions: 0, totalSessions: 6 }]);
    expect(s.backends.map((b) => [b.name, b.status])).toEqual([['galera', 'UP']]);
    expect(s.backends[0]?.servers.map((x) => [x.name, x.address, x.status, x.weight, x.checkStatus, x.checkDescription])).toEqual([
      ['rs1', '192.0.2.11:3306', 'UP', 1, 'L7OK', 'Layer7 check passed'],
      ['rs2', '192.0.2.12:3306', 'UP', 1, 'L7OK', 'Layer7 check passed'],
      ['rs3', '198.51.100.13:3306', 'UP', 1, 'L7OK', 'Layer7 check passed'],
    ]);
    expect(s.backends[0]?.servers[0]?.checkDurationMs).toBeTypeOf('number');
    expect(s.backends[0]?.servers[0]?.lastChangeS).toBeTypeOf('number');
  });

  it("keeps a MySQL server's refusal and a stopped server's error as HAProxy reports them (quoted field with a comma)", () => {
    const s = HaproxyStats.parse(parseHaproxyStat(fixture('show-stat-lab-dir1-mysql-refused-stopped.csv')));
    const [rs1, rs2, rs3] = s.backends[0]?.servers ?? [];
    expect([rs1?.status, rs1?.checkStatus, rs1?.checkDetail]).toEqual(['UP', 'L7OK', '']);
    expect([rs2?.status, rs2?.checkStatus, rs2?.checkCode, rs2?.checkDetail, rs2?.checkDescription]).toEqual([
      'DOWN',
      'L7STS',
      4151,
      '#HY000Access denied, this account is locked',
      'Layer7 wrong status',
    ]);
    // the columns after the quoted one are still in place
    expect(rs2?.address).toBe('192.0.2.12:3306');
    expect([rs3?.status, rs3?.checkStatus, rs3?.checkCode, rs3?.checkDetail, rs3?.checkDescription]).toEqual(['DOWN', 'L4CON', null, 'Connection refused', 'Layer4 connection problem']);
  });

  it('splits quoted CSV fields as HAProxy writes them (hand-written)', () => {
    expect(splitCsvLine('a,"b, c",d')).toEqual(['a', 'b, c', 'd']);
    expect(splitCsvLine(QUOTED)).toEqual(['say "hi"', '', 'x']);
    expect(splitCsvLine('plain,line')).toEqual(['plain', 'line']);
  });

  it('shows DRAIN, MAINT and a runtime weight as HAProxy reports them', () => {
    const s = parseHaproxyStat(fixture('show-stat-lab-dir1-drain-maint-weight.csv'));
    expect(s.backends[0]?.servers.map((x) => [x.name, x.status, x.weight])).toEqual([
      ['rs1', 'UP', 50],
      ['rs2', 'DRAIN', 1],
      ['rs3', 'MAINT', 1],
    ]);
    // A server in maintenance is not checked: no check status.
    expect(s.backends[0]?.servers[2]?.checkStatus).toBe('');
  });

  it('finds columns by name, so a version with other columns parses the same (hand-written)', () => {
    const text = '# svname,pxname,type,status,weight,scur,stot,extra\nFRONTEND,web,0,OPEN,,3,10,x\nBACKEND,app,1,UP,2,1,5,x\na1,app,2,UP,1,1,4,x\na2,app,2,DOWN,1,0,1,x\n';
    const s = parseHaproxyStat(text);
    expect(s.frontends).toEqual([{ name: 'web', status: 'OPEN', currentSessions: 3, totalSessions: 10 }]);
    expect(s.backends[0]?.servers.map((x) => [x.name, x.status, x.address, x.checkStatus])).toEqual([
      ['a1', 'UP', null, ''],
      ['a2', 'DOWN', null, ''],
    ]);
  });

  it('refuses what is not a show stat answer, saying why', () => {
    expect(() => parseHaproxyStat('Unknown command.\n')).toThrow(HaproxyStatParseError);
    expect(() => parseHaproxyStat('')).toThrow(/not a 'show stat' answer/);
    expect(() => parseHaproxyStat('# pxname,svname,type\n')).toThrow(/no status column/);
  });
});
