'use client';

import { useId } from 'react';
import type { RealServerOnDirector } from '@/lib/models/cluster';
import { formatCount, formatForward } from '@/lib/format';
import { useServicesTable } from './table-context';

// The "≠ differs" marker: directors disagree about this real server (a drain on one only, a
// server missing on one). The tooltip says it in one line; the button opens every director's
// values side by side.

const FIELDS: readonly { key: keyof RealServerOnDirector; label: string }[] = [
  { key: 'present', label: 'Present' },
  { key: 'weight', label: 'Weight' },
  { key: 'forward', label: 'Fwd' },
  { key: 'activeConns', label: 'Active' },
  { key: 'inactiveConns', label: 'Inactive' },
  { key: 'persistentConns', label: 'Persist' },
];

function show(key: keyof RealServerOnDirector, value: RealServerOnDirector[keyof RealServerOnDirector]): string {
  if (value === null) return '—';
  if (key === 'present') return value ? 'yes' : 'no';
  if (key === 'forward') return formatForward(typeof value === 'string' ? value : null);
  return typeof value === 'number' ? formatCount(value) : String(value);
}

export function summarizeDifferences(perDirector: Readonly<Record<string, RealServerOnDirector>>, differs: readonly string[]): string {
  const parts = Object.entries(perDirector).map(([name, values]) => {
    const fields = differs.filter((f): f is keyof RealServerOnDirector => f in values);
    const shown = fields.map((f) => `${f} ${show(f, values[f])}`).join(', ');
    return `${name}: ${shown || 'same'}`;
  });
  return `Directors disagree on ${differs.join(', ')}: ${parts.join(' · ')}`;
}

export function DirectorValues({
  label,
  perDirector,
  differs,
}: {
  /** What this is about: "192.0.2.11:80 in TCP 192.0.2.100:80". */
  label: string;
  perDirector: Readonly<Record<string, RealServerOnDirector>>;
  differs: readonly string[];
}) {
  const { directorLive } = useServicesTable();
  const id = useId();
  const popoverId = `differs-${id.replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const directors = Object.keys(perDirector).sort();
  const summary = summarizeDifferences(perDirector, differs);
  return (
    <>
      <button
        type="button"
        popoverTarget={popoverId}
        title={summary}
        aria-label={`Directors disagree on ${differs.join(', ')} for ${label}: show each director's values`}
        data-testid="differs-marker"
        data-differs={differs.join(',')}
        className="inline-flex items-center gap-1 rounded border border-amber-400 bg-amber-50 px-1.5 text-xs font-medium text-amber-900 hover:bg-amber-100 dark:border-amber-400/40 dark:bg-amber-400/10 dark:text-amber-200 dark:hover:bg-amber-400/20"
      >
        <span aria-hidden="true">≠</span> differs
      </button>
      <div
        id={popoverId}
        popover="auto"
        role="dialog"
        aria-label={`Per-director values for ${label}`}
        data-testid="differs-details"
        className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-lg border border-line bg-surface p-4 text-sm text-ink shadow-xl"
      >
        <div className="mb-3 flex items-start gap-3">
          <p className="flex-1">
            <span className="font-semibold">Directors disagree</span> on <span className="font-medium">{differs.join(', ')}</span> for{' '}
            <span className="font-mono">{label}</span>
          </p>
          <button
            type="button"
            popoverTarget={popoverId}
            popoverTargetAction="hide"
            aria-label="Close"
            className="rounded px-1.5 text-muted hover:bg-hover hover:text-ink"
          >
            ✕
          </button>
        </div>
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-muted">
              <th scope="col" className="pb-1 font-medium">
                Director
              </th>
              {FIELDS.map((f) => (
                <th key={f.key} scope="col" className="pb-1 text-right font-medium">
                  {f.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {directors.map((name) => {
              const values = perDirector[name];
              if (!values) return null;
              const live = directorLive[name] ?? true;
              return (
                <tr key={name} className="border-t border-line" data-testid={`director-values-${name}`}>
                  <th scope="row" className="py-1 text-left font-mono font-medium">
                    {name}
                    {live ? null : <span className="ml-1 font-sans text-xs font-normal text-amber-800 dark:text-amber-300">(stale)</span>}
                  </th>
                  {FIELDS.map((f) => (
                    <td
                      key={f.key}
                      className={`py-1 text-right tabular-nums ${differs.includes(f.key) ? 'font-semibold text-amber-900 dark:text-amber-200' : ''}`}
                    >
                      {show(f.key, values[f.key])}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="mt-3 text-xs text-muted">
          keepalived programs each director on its own: a drain or weight set on one director is lost when the other takes over.
        </p>
      </div>
    </>
  );
}
