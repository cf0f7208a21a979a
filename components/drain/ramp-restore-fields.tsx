'use client';

import Link from 'next/link';
import { useId } from 'react';
import type { RolloutStartResult } from '@/lib/models/rollout';
import { FIELD_CLASS } from '@/components/ui/action-fields';
import { RolloutError } from '@/components/rollout/rollout-error';
import { pageHrefs } from '@/components/ui/links';
import { rampRestoreFields, type RampRestoreForm } from './ramp-restore';

// The restore dialog's "Bring it back in steps" (a whole host only): the box, and once ticked the
// ramp and the seconds between steps, each with what is wrong with it; then the answer (the
// rollout started, with a link to follow it on its page) or the refusal as the server words it.

export function RampRestoreFields({ form, onForm, disabled = false }: { form: RampRestoreForm; onForm: (form: RampRestoreForm) => void; disabled?: boolean }) {
  const id = useId();
  const { problems } = rampRestoreFields(form);
  const set = <K extends keyof RampRestoreForm>(key: K, value: RampRestoreForm[K]) => onForm({ ...form, [key]: value });
  const hintId = `${id}-hint`;
  const rampId = `${id}-ramp`;
  const stepId = `${id}-step`;
  return (
    <fieldset className="space-y-2 text-sm sm:col-span-2" data-testid="ramp-restore">
      <legend className="sr-only">Restore in steps</legend>
      <label className="flex items-center gap-2 font-medium">
        <input type="checkbox" checked={form.on} disabled={disabled} onChange={(e) => set('on', e.target.checked)} aria-describedby={hintId} data-testid="ramp-restore-checkbox" />
        Bring it back in steps
      </label>
      <p id={hintId} className="ml-6 text-xs text-muted">
        A ramp (a rollout of this one host): its weight goes back a share at a time, each step verified on every director, then keepalived&apos;s checkers must say up. Followed on its own page.
      </p>
      {form.on ? (
        <div className="ml-6 grid gap-3 sm:grid-cols-2">
          <div>
            <label htmlFor={rampId} className="font-medium">
              Ramp (% of the weight)
            </label>
            <input
              id={rampId}
              className={FIELD_CLASS}
              value={form.ramp}
              disabled={disabled}
              onChange={(e) => set('ramp', e.target.value)}
              aria-invalid={problems.ramp !== null}
              aria-describedby={`${rampId}-hint`}
              data-testid="ramp-restore-ramp"
            />
            <p id={`${rampId}-hint`} className={`mt-0.5 text-xs ${problems.ramp ? 'text-red-700 dark:text-red-300' : 'text-muted'}`} data-testid={problems.ramp ? 'ramp-restore-ramp-error' : undefined}>
              {problems.ramp ?? 'Ascending, ending at 100, e.g. 10,25,50,100'}
            </p>
          </div>
          <div>
            <label htmlFor={stepId} className="font-medium">
              Seconds between steps
            </label>
            <input
              id={stepId}
              className={FIELD_CLASS}
              inputMode="numeric"
              value={form.stepSeconds}
              disabled={disabled}
              onChange={(e) => set('stepSeconds', e.target.value)}
              aria-invalid={problems.stepSeconds !== null}
              aria-describedby={problems.stepSeconds ? `${stepId}-error` : undefined}
              data-testid="ramp-restore-step-seconds"
            />
            {problems.stepSeconds ? (
              <p id={`${stepId}-error`} className="mt-0.5 text-xs text-red-700 dark:text-red-300" data-testid="ramp-restore-step-seconds-error">
                {problems.stepSeconds}
              </p>
            ) : null}
          </div>
        </div>
      ) : null}
    </fieldset>
  );
}

/** The ramp started: the server's sentence and the way to its page. */
export function RampRestoreResult({ cluster, result }: { cluster: string; result: RolloutStartResult }) {
  return (
    <div className="space-y-2 text-sm" role="status" data-testid="ramp-restore-result" data-rollout={result.rollout?.id}>
      <p>{result.message}</p>
      {result.rollout ? (
        <p>
          <Link href={pageHrefs.rollout(cluster, result.rollout.id)} className="font-medium text-accent underline underline-offset-2" data-testid="ramp-restore-link">
            Follow rollout #{result.rollout.id}
          </Link>
        </p>
      ) : null}
      {result.refusals.length > 0 ? (
        <ul className="list-disc pl-5 text-red-900 dark:text-red-200">
          {result.refusals.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      {result.warnings.length > 0 ? (
        <ul className="list-disc pl-5 text-xs text-amber-900 dark:text-amber-200" aria-label="Warnings">
          {result.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The start failed: a refusal (409) with each of its reasons, or the error as the dialog shows any other. */
export function RampRestoreError({ error }: { error: unknown }) {
  return <RolloutError error={error} testId="ramp-restore-error" refusalsTestId="ramp-restore-refusals" className="sm:col-span-2" />;
}
