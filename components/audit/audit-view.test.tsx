import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '@/lib/models/audit';
import { OutcomeCell } from './audit-view';

const row = (p: Partial<AuditEntry>): AuditEntry => ({
  id: '1', at: 0, actor: 'olga', role: 'operator', source: '127.0.0.1', action: 'drain', cluster: 'lab', target: 'rs1', outcome: 'ok', attemptId: null, outcomeId: null, detail: null, hash: 'h', ...p,
});
const text = (e: AuditEntry) => renderToStaticMarkup(<OutcomeCell e={e} />).replace(/<[^>]+>/g, '');

describe('audit outcome cell', () => {
  it('says when an attempt has no outcome, points an attempt to its outcome and an outcome to its attempt', () => {
    expect(text(row({ outcome: 'attempted' }))).toBe('attempted no outcome recorded');
    expect(renderToStaticMarkup(<OutcomeCell e={row({ outcome: 'attempted' })} />)).toContain('data-testid="audit-no-outcome"');
    expect(text(row({ outcome: 'attempted', outcomeId: '8' }))).toBe('attempted → #8');
    expect(text(row({ id: '8', outcome: 'partial', attemptId: '7' }))).toBe('partial of #7');
    expect(text(row({ outcome: 'refused' }))).toBe('refused');
  });
});
