import type { ReactNode } from 'react';

// Status is always said in words; colour and the glyph only repeat it (never colour alone).

export type Tone = 'ok' | 'warning' | 'critical' | 'info' | 'neutral' | 'accent';

const TONE_CLASSES: Record<Tone, string> = {
  ok: 'bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/25',
  warning: 'bg-amber-50 text-amber-900 ring-amber-600/30 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/25',
  critical: 'bg-red-50 text-red-800 ring-red-600/30 dark:bg-red-400/10 dark:text-red-300 dark:ring-red-400/30',
  info: 'bg-sky-50 text-sky-800 ring-sky-600/25 dark:bg-sky-400/10 dark:text-sky-300 dark:ring-sky-400/25',
  neutral: 'bg-sunken text-muted ring-line-strong',
  accent: 'bg-indigo-600 text-white ring-indigo-700 dark:bg-indigo-500 dark:text-white dark:ring-indigo-400',
};

const TONE_GLYPH: Record<Tone, string> = {
  ok: '●',
  warning: '▲',
  critical: '■',
  info: '◆',
  neutral: '○',
  accent: '★',
};

export interface StatusPillProps {
  tone: Tone;
  children: ReactNode;
  /** Hide the leading glyph (e.g. in dense rows where the text already leads). */
  plain?: boolean;
  title?: string;
  className?: string;
  'data-testid'?: string;
}

/** A rounded status label: glyph + text, tinted by tone. */
export function StatusPill({ tone, children, plain, title, className = '', ...rest }: StatusPillProps) {
  return (
    <span
      title={title}
      data-tone={tone}
      data-testid={rest['data-testid']}
      className={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE_CLASSES[tone]} ${className}`}
    >
      {plain ? null : (
        <span aria-hidden="true" className="text-[0.6rem] leading-none">
          {TONE_GLYPH[tone]}
        </span>
      )}
      {children}
    </span>
  );
}

/** A quiet rectangular tag for attributes (scheduler, flags, forward method). */
export function Badge({ children, title, className = '' }: { children: ReactNode; title?: string; className?: string }) {
  return (
    <span
      title={title}
      className={`inline-flex items-center whitespace-nowrap rounded border border-line bg-sunken px-1.5 py-px font-mono text-[0.7rem] leading-4 text-muted ${className}`}
    >
      {children}
    </span>
  );
}
