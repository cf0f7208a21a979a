import { describe, expect, it } from 'vitest';
import { AuditAnchors, anchorLine, parseAnchorArg, parseAnchors } from './anchor';
import type { AuditHead } from './log';

const H = 'ab'.repeat(32);

describe('audit anchors', () => {
  it('exports the head at start, then only when it changed, and always when forced (shutdown)', () => {
    let head: AuditHead | null = null;
    const lines: string[] = [];
    const sent: AuditHead[] = [];
    const a = new AuditAnchors({ audit: { head: () => head }, intervalMs: 60_000, log: (l) => lines.push(l), notify: (h) => sent.push(h) });
    a.start(); // empty log: nothing to export
    head = { id: 7, hash: H, at: 1 };
    expect(a.export(false)).toEqual(head);
    expect(a.export(false)).toBeNull();
    head = { id: 8, hash: 'cd'.repeat(32), at: 2 };
    a.export(false);
    a.export(true);
    a.stop();
    expect(lines).toEqual([`[audit] head id=7 hash=${H}`, `[audit] head id=8 hash=${'cd'.repeat(32)}`, `[audit] head id=8 hash=${'cd'.repeat(32)}`]);
    expect(sent.map((h) => h.id)).toEqual([7, 8, 8]);
  });

  it('reads anchors back from log lines and from ID:HASH', () => {
    const log = `Jan 1 lvs-console[1]: ${anchorLine({ id: 7, hash: H, at: 0 })}\nnoise id=3 hash=xyz\nJan 2 lvs-console[1]: [audit] head id=9 hash=${'CD'.repeat(32)}\n`;
    expect(parseAnchors(log)).toEqual([{ id: 7, hash: H }, { id: 9, hash: 'cd'.repeat(32) }]);
    expect(parseAnchorArg(`12:${H.slice(0, 16)}`)).toEqual({ id: 12, hash: H.slice(0, 16) });
    expect(parseAnchorArg('12:abc')).toBeNull();
    expect(parseAnchorArg('x:' + H)).toBeNull();
  });
});
