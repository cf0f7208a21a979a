import { describe, expect, it } from 'vitest';
import type { ClusterEvent } from '@/lib/models/events';
import { csvField, eventsToCsv } from './csv';

describe('events CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
  ])('quotes %j as %j', (v, want) => expect(csvField(v)).toBe(want));

  it('writes a header and one CRLF row per event', () => {
    const e: ClusterEvent = {
      id: '1', cluster: 'lab', kind: 'failover', director: 'dir2', instance: 'VI_1', fromState: 'BACKUP', toState: 'MASTER', fromMaster: 'dir1', toMaster: 'dir2',
      at: Date.parse('2026-11-22T03:56:31Z'), endedAt: null, durationMs: null, cause: 'track script chk_fault_flag failed on dir1', service: null, realServer: null,
      logLines: ['l1, with comma', 'l2'], source: 'log',
    };
    expect(eventsToCsv([e]).split('\r\n')).toEqual([
      'id,cluster,kind,at,at_ms,ended_at,duration_ms,director,instance,from_state,to_state,from_master,to_master,cause,service,real_server,source,log_lines',
      `1,lab,failover,2026-11-22T03:56:31.000Z,${e.at},,,dir2,VI_1,BACKUP,MASTER,dir1,dir2,track script chk_fault_flag failed on dir1,,,log,"l1, with comma\nl2"`,
      '',
    ]);
    expect(eventsToCsv([])).toBe('id,cluster,kind,at,at_ms,ended_at,duration_ms,director,instance,from_state,to_state,from_master,to_master,cause,service,real_server,source,log_lines\r\n');
  });
});
