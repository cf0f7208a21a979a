import Link from 'next/link';
import { formatCount } from '@/lib/format';

// Up / drained / down / unknown as a proportional bar plus the numbers in words; with `outHref`,
// "N drained" and "N down" link to the cluster's out-of-rotation panel (why each one is out).

const PARTS = [
  { key: 'up', label: 'up', bar: 'bg-emerald-500 dark:bg-emerald-400', text: 'text-emerald-800 dark:text-emerald-300' },
  { key: 'drained', label: 'drained', bar: 'bg-amber-400 dark:bg-amber-300', text: 'text-amber-900 dark:text-amber-300' },
  { key: 'down', label: 'down', bar: 'bg-red-500 dark:bg-red-400', text: 'text-red-800 dark:text-red-300' },
  { key: 'unknown', label: 'unknown', bar: 'bg-zinc-300 dark:bg-zinc-600', text: 'text-muted' },
] as const;

export function RealServerCountsBar({ counts, outHref }: { counts: { up: number; drained: number; down: number; unknown: number }; outHref?: string }) {
  const total = counts.up + counts.drained + counts.down + counts.unknown;
  return (
    <div data-testid="real-server-counts" data-up={counts.up} data-drained={counts.drained} data-down={counts.down} data-unknown={counts.unknown}>
      <div aria-hidden="true" className="flex h-1.5 overflow-hidden rounded-full bg-sunken">
        {total > 0
          ? PARTS.map((part) =>
              counts[part.key] > 0 ? (
                <div key={part.key} className={part.bar} style={{ width: `${(counts[part.key] / total) * 100}%` }} />
              ) : null,
            )
          : null}
      </div>
      <p className="mt-1.5 flex flex-wrap gap-x-3 text-sm tabular-nums">
        {PARTS.map((part) =>
          part.key === 'unknown' && counts.unknown === 0 ? null : outHref && (part.key === 'drained' || part.key === 'down') && counts[part.key] > 0 ? (
            <Link key={part.key} href={outHref} className={`${part.text} underline decoration-dotted underline-offset-2 hover:decoration-solid`} data-testid={`real-servers-${part.key}-link`} title="Why each one is out">
              <span className="font-semibold">{formatCount(counts[part.key])}</span> {part.label}
            </Link>
          ) : (
            <span key={part.key} className={counts[part.key] > 0 ? part.text : 'text-faint'}>
              <span className="font-semibold">{formatCount(counts[part.key])}</span> {part.label}
            </span>
          ),
        )}
      </p>
    </div>
  );
}
