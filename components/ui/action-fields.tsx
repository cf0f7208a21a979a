'use client';

import type { Ref } from 'react';

// The fields every action dialog asks for (LVS drain/restore/weight, HAProxy drain/maint/ready/
// weight): a weight within the target's range, and the reason that goes to the audit log.

export const FIELD_CLASS = 'mt-1 block w-full rounded-md border border-line-strong bg-surface px-2 py-1 text-sm text-ink placeholder:text-faint focus:border-accent';

/** "Weight (0–MAX)": the text as typed; `valid` false shows the allowed range under it. */
export function WeightField({ max, text, onText, valid, testId }: { max: number; text: string; onText: (text: string) => void; valid: boolean; testId: string }) {
  return (
    <label className="text-sm font-medium">
      Weight (0–{max})
      <input className={FIELD_CLASS} inputMode="numeric" value={text} onChange={(e) => onText(e.target.value.trim())} data-testid={testId} />
      {valid ? null : <span className="text-xs text-red-700 dark:text-red-300">a whole number from 0 to {max}</span>}
    </label>
  );
}

/** "Reason" (or "Reason (optional)"), with an example of what to write when one is required. */
export function ReasonField({
  value,
  onChange,
  required,
  example,
  testId,
  className = '',
  ref,
}: {
  value: string;
  onChange: (value: string) => void;
  required: boolean;
  /** e.g. "kernel update on web-1". */
  example: string;
  testId: string;
  className?: string;
  ref?: Ref<HTMLTextAreaElement>;
}) {
  return (
    <label className={`text-sm font-medium ${className}`}>
      Reason{required ? '' : ' (optional)'}
      <textarea
        ref={ref}
        className={FIELD_CLASS}
        rows={2}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={required ? `e.g. ${example} (goes to the audit log)` : ''}
        data-testid={testId}
      />
    </label>
  );
}
