'use client';

/** A small labelled select for a display preference in the top bar (theme, time zone). */
export function ChoiceSelect<T extends string>({
  label,
  value,
  choices,
  onChange,
  testId,
}: {
  label: string;
  value: T;
  choices: readonly { value: T; label: string }[];
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <label className="flex items-center gap-1 text-xs text-muted">
      <span className="sr-only sm:not-sr-only">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} className="rounded-md border border-line bg-surface px-1.5 py-1 text-xs text-ink" data-testid={testId}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
