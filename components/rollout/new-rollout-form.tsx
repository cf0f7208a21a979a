'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { clusterQueries } from '@/lib/api/queries';
import { rolloutKeys, startRollout } from '@/lib/api/rollout-queries';
import type { RolloutRequestInput, RolloutStartResult } from '@/lib/models/rollout';
import { FIELD_CLASS, ReasonField } from '@/components/ui/action-fields';
import { describeError } from '@/components/ui/error-state';
import { pageHrefs } from '@/components/ui/links';
import { RolloutError, Refused } from './rollout-error';
import { DEFAULT_FORM, filterChoices, formHosts, formRequest, hostChoices, type RolloutForm } from './form-model';

// "New rollout": the hosts (ticked from the cluster's real servers, or typed), the batch size, the
// reason and ticket, the maintenance (an operator's "done", or a timer), the ramp, the drain
// deadline and what happens at it, and the check. "Check" asks the server for the plan without
// changing anything (batches, the capacity floor's refusals, warnings); "Start rollout" starts it and
// opens its page. A refusal (409) is shown as the server words it, numbers included.

/** A filter box above this many hosts. */
const SHOW_FILTER_ABOVE = 24;

const BUTTON = 'rounded-md px-3 py-1.5 text-sm font-medium disabled:opacity-50';

/** A labelled control with its hint as the control's description (not part of its name). */
function Field({ label, hint, children }: { label: string; hint?: string; children: (props: { id: string; 'aria-describedby'?: string }) => ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="text-sm">
      <label htmlFor={id} className="font-medium">
        {label}
      </label>
      {children({ id, ...(hint ? { 'aria-describedby': hintId } : {}) })}
      {hint ? (
        <p id={hintId} className="mt-0.5 text-xs text-muted">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

function Plan({ result }: { result: RolloutStartResult }) {
  return (
    <div className="space-y-2 rounded-md border border-line bg-sunken px-3 py-2 text-sm" data-testid="rollout-plan" data-refused={result.refusals.length > 0}>
      <p className="font-medium">{result.message}</p>
      {result.batches.length > 0 ? (
        <ol className="space-y-0.5 text-xs" aria-label="Batches as planned">
          {result.batches.map((hosts, i) => (
            <li key={i} data-testid="rollout-plan-batch">
              Batch {i + 1}: <span className="font-mono">{hosts.join(', ')}</span>
            </li>
          ))}
        </ol>
      ) : null}
      {result.refusals.length > 0 ? (
        <div className="rounded-md border border-red-300 bg-red-50 px-3 py-2 dark:border-red-400/30 dark:bg-red-400/10">
          <p className="text-sm font-medium text-red-900 dark:text-red-200">Refused (the first batch would leave too little capacity):</p>
          <Refused refusals={result.refusals} testId="rollout-plan-refusals" />
        </div>
      ) : null}
      {result.warnings.length > 0 ? (
        <ul className="list-disc pl-5 text-xs text-amber-900 dark:text-amber-200" data-testid="rollout-plan-warnings" aria-label="Warnings">
          {result.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function NewRolloutForm({ cluster }: { cluster: string }) {
  const id = useId();
  const router = useRouter();
  const qc = useQueryClient();
  const snapshot = useQuery(clusterQueries.detail(cluster));
  const choices = snapshot.data ? hostChoices(snapshot.data) : [];
  const [form, setForm] = useState<RolloutForm>(DEFAULT_FORM);
  const [filter, setFilter] = useState('');
  const shown = filterChoices(choices, filter, form.picked);
  const set = <K extends keyof RolloutForm>(key: K, value: RolloutForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const request = formRequest(form, choices, false);
  const hosts = formHosts(form, choices);
  // The check answers for the form as it was: a change hides it.
  const [checked, setChecked] = useState<{ for: string; result: RolloutStartResult } | null>(null);
  const requestKey = request.ok ? JSON.stringify(request.body) : null;

  const check = useMutation({
    mutationFn: (body: RolloutRequestInput) => startRollout(cluster, { ...body, dryRun: true }),
    onSuccess: (result, body) => setChecked({ for: JSON.stringify(body), result }),
  });
  const start = useMutation({
    mutationFn: (body: RolloutRequestInput) => startRollout(cluster, body),
    onSuccess: (result) => {
      void qc.invalidateQueries({ queryKey: rolloutKeys.all(cluster) });
      if (result.rollout) router.push(pageHrefs.rollout(cluster, result.rollout.id));
    },
  });
  const pending = check.isPending || start.isPending;

  function togglePick(address: string, on: boolean) {
    setForm((f) => ({ ...f, picked: on ? [...f.picked.filter((a) => a !== address), address] : f.picked.filter((a) => a !== address) }));
  }
  function onCheck() {
    if (request.ok && !pending) {
      start.reset();
      check.mutate(request.body);
    }
  }
  function onStart(e: FormEvent) {
    e.preventDefault();
    if (request.ok && !pending) {
      check.reset();
      start.mutate(request.body);
    }
  }

  const plan = checked && checked.for === requestKey ? checked.result : null;
  const startAnswer = start.data && !start.data.rollout ? start.data : null;
  const problemsId = `${id}-problems`;
  return (
    <form onSubmit={onStart} className="space-y-4 rounded-lg border border-line bg-surface p-4" noValidate data-testid="new-rollout-form" aria-label="New rollout">
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Hosts (in this order; each is drained from every service it serves)</legend>
        {snapshot.isPending ? <p className="text-sm text-muted">Reading the cluster&apos;s real servers…</p> : null}
        {snapshot.isError && !snapshot.data ? <p className="text-sm text-red-800 dark:text-red-300">Could not read the cluster&apos;s real servers: {describeError(snapshot.error).detail}. Type the addresses below.</p> : null}
        {choices.length > SHOW_FILTER_ABOVE ? (
          <Field label="Filter the list" hint="Part of an address or a service; ticked hosts stay listed">
            {(p) => <input {...p} type="search" className={FIELD_CLASS} value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="rollout-host-filter" />}
          </Field>
        ) : null}
        {shown.choices.length > 0 ? (
          <ul className="grid gap-1 sm:grid-cols-2 lg:grid-cols-3" data-testid="rollout-host-choices">
            {shown.choices.map((c, i) => {
              const servicesId = `${id}-services-${i}`;
              return (
                <li key={c.address} className="flex items-start gap-2 text-sm" data-testid="rollout-host-choice" data-host={c.address}>
                  <input
                    type="checkbox"
                    id={`${id}-host-${i}`}
                    className="mt-1"
                    checked={form.picked.includes(c.address)}
                    onChange={(e) => togglePick(c.address, e.target.checked)}
                    aria-describedby={servicesId}
                  />
                  <span>
                    <label htmlFor={`${id}-host-${i}`} className="font-mono font-medium">
                      {c.address}
                    </label>
                    <span id={servicesId} className="block text-xs text-muted">
                      {c.services.join(', ')}
                    </span>
                  </span>
                </li>
              );
            })}
          </ul>
        ) : null}
        {shown.hidden > 0 ? (
          <p className="text-xs text-muted">
            {shown.hidden} more not listed: filter the list, or type the addresses below.
          </p>
        ) : null}
        <Field label="Other addresses (comma-separated)" hint="Hosts the list does not show; they follow the ticked ones">
          {(p) => (
            <input {...p} className={FIELD_CLASS} value={form.typed} onChange={(e) => set('typed', e.target.value)} placeholder="e.g. 192.0.2.21, 192.0.2.22" data-testid="rollout-typed-hosts" />
          )}
        </Field>
        {hosts.length > 0 ? (
          <p className="text-xs text-muted" data-testid="rollout-host-order">
            {hosts.length} host{hosts.length === 1 ? '' : 's'}: <span className="font-mono">{hosts.join(', ')}</span>
          </p>
        ) : null}
      </fieldset>

      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <Field label="Hosts per batch">
          {(p) => (
            <input {...p} className={FIELD_CLASS} inputMode="numeric" value={form.batchSize} onChange={(e) => set('batchSize', e.target.value)} data-testid="rollout-batch-size" />
          )}
        </Field>
        <Field label="Ticket or link (optional)">
          {(p) => (
            <input {...p} className={FIELD_CLASS} value={form.ticket} onChange={(e) => set('ticket', e.target.value)} data-testid="rollout-ticket" />
          )}
        </Field>
        <ReasonField className="sm:col-span-2 lg:col-span-3" value={form.reason} onChange={(v) => set('reason', v)} required example="kernel update on the web servers" testId="rollout-reason" />
      </div>

      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <fieldset className="text-sm">
          <legend className="font-medium">Maintenance</legend>
          {/* min-h-7: the two radios sit 28 px apart (axe target-size: 24 px of room each). */}
          <label className="mt-1 flex min-h-7 items-center gap-2">
            <input type="radio" name={`${id}-maintenance`} checked={form.maintenance === 'manual'} onChange={() => set('maintenance', 'manual')} data-testid="rollout-maintenance-manual" />
            Manual (an operator says when it is done)
          </label>
          <label className="flex min-h-7 items-center gap-2">
            <input type="radio" name={`${id}-maintenance`} checked={form.maintenance === 'timer'} onChange={() => set('maintenance', 'timer')} data-testid="rollout-maintenance-timer" />
            Timer
          </label>
        </fieldset>
        {form.maintenance === 'timer' ? (
          <Field label="Maintenance seconds" hint="How long each host stays out once drained">
            {(p) => (
              <input {...p} className={FIELD_CLASS} inputMode="numeric" value={form.maintenanceSeconds} onChange={(e) => set('maintenanceSeconds', e.target.value)} data-testid="rollout-maintenance-seconds" />
            )}
          </Field>
        ) : null}
      </div>

      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        <Field label="Ramp (% of the weight)" hint="Ascending, ending at 100, e.g. 10,25,50,100">
          {(p) => (
            <input {...p} className={FIELD_CLASS} value={form.ramp} onChange={(e) => set('ramp', e.target.value)} data-testid="rollout-ramp" />
          )}
        </Field>
        <Field label="Seconds between ramp steps">
          {(p) => (
            <input {...p} className={FIELD_CLASS} inputMode="numeric" value={form.stepSeconds} onChange={(e) => set('stepSeconds', e.target.value)} data-testid="rollout-step-seconds" />
          )}
        </Field>
        <Field label="Check time limit (seconds)" hint="After the ramp: keepalived says up on every director">
          {(p) => (
            <input {...p} className={FIELD_CLASS} inputMode="numeric" value={form.checkSeconds} onChange={(e) => set('checkSeconds', e.target.value)} data-testid="rollout-check-seconds" />
          )}
        </Field>
        <label className="flex items-center gap-2 text-sm font-medium sm:col-span-2 lg:col-span-3">
          <input type="checkbox" checked={form.checkNewConnections} onChange={(e) => set('checkNewConnections', e.target.checked)} data-testid="rollout-check-new-connections" />
          New connections must reach the host for the check to pass
        </label>
        <Field label="Drain deadline (seconds)" hint="A drain with connections left after this long stops at the deadline">
          {(p) => (
            <input {...p} className={FIELD_CLASS} inputMode="numeric" value={form.drainDeadlineSeconds} onChange={(e) => set('drainDeadlineSeconds', e.target.value)} data-testid="rollout-drain-deadline" />
          )}
        </Field>
        <Field label="At the deadline">
          {(p) => (
            <select {...p} className={FIELD_CLASS} value={form.onDeadline} onChange={(e) => set('onDeadline', e.target.value === 'proceed' ? 'proceed' : 'wait')} data-testid="rollout-on-deadline">
              <option value="wait">Wait for an operator (Proceed or Skip)</option>
              <option value="proceed">Proceed to maintenance (cuts what is left)</option>
            </select>
          )}
        </Field>
      </div>

      {plan ? <Plan result={plan} /> : null}
      {startAnswer ? <Plan result={startAnswer} /> : null}
      {check.isError ? <RolloutError testId="rollout-start-error" refusalsTestId="rollout-start-refusals" error={check.error} /> : null}
      {start.isError ? <RolloutError testId="rollout-start-error" refusalsTestId="rollout-start-refusals" error={start.error} /> : null}

      <div className="flex flex-wrap items-center justify-end gap-2">
        {!request.ok && !pending ? (
          <ul id={problemsId} className="mr-auto list-none text-xs text-muted" data-testid="rollout-form-problems">
            {request.problems.map((p) => (
              <li key={p}>Not yet: {p}</li>
            ))}
          </ul>
        ) : null}
        <p role="status" aria-live="polite" className="sr-only">
          {check.isPending ? 'Checking the plan…' : start.isPending ? 'Starting the rollout…' : ''}
        </p>
        <button
          type="button"
          onClick={onCheck}
          disabled={!request.ok || pending}
          aria-describedby={!request.ok ? problemsId : undefined}
          className={`${BUTTON} border border-line-strong hover:bg-hover`}
          data-testid="rollout-check"
        >
          {check.isPending ? 'Checking…' : 'Check'}
        </button>
        <button
          type="submit"
          disabled={!request.ok || pending}
          aria-describedby={!request.ok ? problemsId : undefined}
          className={`${BUTTON} bg-indigo-600 text-white hover:bg-indigo-700`}
          data-testid="rollout-start"
        >
          {start.isPending ? 'Starting…' : 'Start rollout'}
        </button>
      </div>
    </form>
  );
}
