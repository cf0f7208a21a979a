'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useId, useRef, useState, type FormEvent } from 'react';
import { type ActionBody, type DrainTarget, type HaproxyActionBody } from '@/lib/api/client';
import { haproxyKeys, haproxyQueries, postHaproxyAction } from '@/lib/api/haproxy';
import { clusterKeys } from '@/lib/api/queries';
import { hasPort } from '@/lib/address';
import { formatPercent } from '@/lib/format';
import { drainKeys, drainQueries, postAction } from '@/lib/api/drain';
import { rolloutKeys, startRollout } from '@/lib/api/rollout-queries';
import type { ActionResult, DrainAction, DrainPlan } from '@/lib/models/drain';
import { hostHaproxyPlan, type HaproxyActionResult } from '@/lib/models/haproxy';
import type { RolloutRequestInput } from '@/lib/models/rollout';
import { FIELD_CLASS, ReasonField, WeightField } from '@/components/ui/action-fields';
import { CopyButton } from '@/components/ui/copy-button';
import { describeError, ErrorText } from '@/components/ui/error-state';
import { useModalFocus } from '@/components/ui/modal-focus';
import { StatusPill } from '@/components/ui/status-pill';
import { DialogActions, ModalDialog, Refusals } from '@/components/ui/dialog-parts';
import { DrainProgressView } from './drain-progress';
import { canRampRestore, DEFAULT_RAMP_RESTORE, rampRestoreBlockers, rampRestoreRequest } from './ramp-restore';
import { RampRestoreError, RampRestoreFields, RampRestoreResult } from './ramp-restore-fields';
import { submitBlockers } from './submit-blockers';

// The one dialog for drain, restore and set-weight. It always shows the impact first (the plan the
// server computes: services affected, the weight share left, last-server refusals, the exact
// commands per director), then acts on every director and reports each one's verified result.
// From the host page a host-wide drain or restore is "drain everywhere": the host's HAProxy servers
// in the same cluster are drained (or readied) in the same step, with the same reason.
// A restore of a whole host may instead bring it back in steps: a rollout of kind 'ramp' (its
// weight back a share at a time, each step verified, then checked), followed on its own page.

export interface DrainDialogRequest extends DrainTarget {
  cluster: string;
  action: DrainAction;
  /** Current weight, to prefill set-weight. */
  weight?: number | null;
  /** A host-wide drain or restore that also acts on the host's HAProxy servers (the host page's "everywhere"). */
  haproxy?: boolean;
}

/** One HAProxy server's part of a drain everywhere: its verified result, or why it failed. */
interface HaproxyStep {
  backend: string;
  server: string;
  result: HaproxyActionResult | null;
  error: string | null;
}


const VERB: Record<DrainAction, string> = { drain: 'Drain', restore: 'Restore', weight: 'Set weight of' };

/** A share (0..1) as the console prints every percentage: "45 %", "4.5 %". */
function pct(x: number): string {
  return formatPercent(x, 1);
}

function PlanView({ plan }: { plan: DrainPlan }) {
  return (
    <div className="space-y-3">
      <table className="w-full text-left text-xs" data-testid="plan-entries">
        <thead className="text-muted">
          <tr>
            <th className="py-1 pr-2 font-medium">Service</th>
            <th className="py-1 pr-2 font-medium">Real server</th>
            <th className="py-1 pr-2 text-right font-medium">Weight now → after</th>
            <th className="py-1 pr-2 text-right font-medium">Its share → after</th>
            <th className="py-1 pr-2 text-right font-medium">Others carry</th>
            <th className="py-1 font-medium">Held by</th>
          </tr>
        </thead>
        <tbody>
          {plan.entries.map((e) => (
            <tr key={`${e.service} ${e.realServer}`} className="border-t border-line" data-testid="plan-entry" data-service-key={e.service} data-real-server-key={e.realServer}>
              <td className="py-1 pr-2 font-mono">{e.service}</td>
              <td className="py-1 pr-2 font-mono">{e.realServer}</td>
              <td className="py-1 pr-2 text-right">
                {e.currentWeight ?? '—'} → <span className="font-semibold">{e.targetWeight}</span>
              </td>
              <td className="py-1 pr-2 text-right">
                {pct(e.shareBefore)} → {pct(e.shareAfter)}
              </td>
              <td className={`py-1 pr-2 text-right ${e.removesLastServer ? 'font-semibold text-red-700 dark:text-red-300' : ''}`}>{pct(e.remainingShare)}</td>
              <td className="py-1" title={e.trackFile ? `writes ${e.trackFile.value} to ${e.trackFile.path} on every director` : 'ipvsadm -e on every director, re-applied if it drifts'}>
                {e.mechanism === 'track-file' ? 'keepalived track file' : 'ipvsadm (console re-applies)'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.warnings.length > 0 ? (
        <ul className="space-y-1 text-xs text-amber-900 dark:text-amber-300" data-testid="plan-warnings">
          {plan.warnings.map((w) => (
            <li key={w}>▲ {w}</li>
          ))}
        </ul>
      ) : null}
      <details className="text-xs" data-testid="plan-commands">
        <summary className="cursor-pointer text-muted">Exact commands on each director (dry run)</summary>
        <div className="mt-2 space-y-2">
          {plan.directors.map((d) => {
            const text = d.commands.map((c) => `${c.role === 'verify' ? '# verify: ' : ''}${c.display}`).join('\n');
            return (
            <div key={d.director} data-testid="plan-director-commands" data-director={d.director}>
              <div className="flex items-center gap-2 font-medium">
                {d.director}
                {text ? <CopyButton text={text} label={`the commands for ${d.director}`} /> : null}
              </div>
              <pre className="overflow-x-auto rounded bg-sunken p-2 font-mono text-[11px] leading-relaxed">
                {text || '(nothing to run)'}
              </pre>
              {d.absent.length > 0 ? <p className="text-muted">Not in its table now: {d.absent.join(', ')} (held when it returns)</p> : null}
            </div>
            );
          })}
        </div>
      </details>
    </div>
  );
}

function ResultView({ result, haproxy }: { result: ActionResult; haproxy: readonly HaproxyStep[] }) {
  const tone = result.outcome === 'ok' ? 'ok' : result.outcome === 'partial' ? 'warning' : 'critical';
  return (
    <div className="space-y-2" data-testid="action-result" data-outcome={result.outcome}>
      <p className="flex items-center gap-2 text-sm">
        <StatusPill tone={tone}>{result.outcome}</StatusPill>
        <span>{result.message}</span>
      </p>
      <ul className="space-y-1 text-xs">
        {result.directors.map((d) => (
          <li key={d.director} data-testid="director-result" data-director={d.director} data-status={d.status} className="flex flex-wrap items-baseline gap-2">
            <span className="font-mono font-medium">{d.director}</span>
            <StatusPill tone={d.status === 'ok' ? 'ok' : d.status === 'skipped' ? 'neutral' : 'critical'}>{d.status}</StatusPill>
            {d.error ? <span className="text-red-800 dark:text-red-300">{d.error.message}</span> : null}
            {d.verified.length > 0 ? (
              <span className="text-muted">
                verified {d.verified.filter((v) => v.ok).length}/{d.verified.length} weight{d.verified.length === 1 ? '' : 's'}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {haproxy.length > 0 ? (
        <ul className="space-y-1 text-xs" aria-label="HAProxy">
          {haproxy.map((h) => {
            const ok = h.result?.ok === true;
            return (
              <li key={`${h.backend}/${h.server}`} data-testid="haproxy-step-result" data-backend={h.backend} data-server={h.server} data-ok={String(ok)} className="flex flex-wrap items-baseline gap-2">
                <span className="font-mono font-medium">
                  HAProxy {h.backend}/{h.server}
                </span>
                <StatusPill tone={ok ? 'ok' : 'critical'}>{ok ? 'ok' : 'failed'}</StatusPill>
                {h.result ? (
                  <span className="text-muted">{h.result.instances.map((i) => `${i.instance}: ${i.after?.status ?? i.error ?? '?'}`).join(', ')}</span>
                ) : (
                  <span className="text-red-800 dark:text-red-300">{h.error}</span>
                )}
              </li>
            );
          })}
        </ul>
      ) : null}
      {result.outcome !== 'ok' ? (
        <p className="text-xs text-muted">The hold is recorded: the console keeps re-applying it on the directors that failed. Retry to try now.</p>
      ) : null}
    </div>
  );
}

export function DrainDialog({ request, onClose, opener }: { request: DrainDialogRequest; onClose: () => void; opener?: HTMLElement | null }) {
  const { cluster, action, target, service } = request;
  const titleId = useId();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [lease, setLease] = useState('');
  const [onExpiry, setOnExpiry] = useState<'restore' | 'alert'>('restore');
  const [force, setForce] = useState(false);
  const [weightText, setWeightText] = useState(String(request.weight ?? 1));
  const weight = /^\d+$/.test(weightText) && Number(weightText) <= 65535 ? Number(weightText) : null;
  const planQuery = useQuery({
    ...drainQueries.plan(cluster, action, { target, service }, action === 'weight' ? (weight ?? undefined) : undefined),
    enabled: action !== 'weight' || weight !== null,
  });
  // Drain everywhere: the host's HAProxy servers in this cluster (the same read the host page polls).
  const everywhere = request.haproxy === true && !service && !hasPort(target) && action !== 'weight';
  const poolsQuery = useQuery({ ...haproxyQueries.pools(cluster), enabled: everywhere });
  const hap = everywhere && poolsQuery.data ? hostHaproxyPlan(poolsQuery.data.instances, poolsQuery.data.holds, target, action === 'drain' ? 'drain' : 'restore') : null;
  const [withHaproxy, setWithHaproxy] = useState(true);
  const [haproxyForce, setHaproxyForce] = useState(false);
  const mutation = useMutation({
    // LVS first (a refusal there stops everything), then each HAProxy server, each verified on every instance.
    mutationFn: async ({ body, haproxy }: { body: ActionBody; haproxy: HaproxyActionBody[] }) => {
      const lvs = await postAction(cluster, action, body);
      const steps: HaproxyStep[] = [];
      for (const h of haproxy) {
        try {
          steps.push({ backend: h.backend, server: h.server, result: await postHaproxyAction(cluster, h), error: null });
        } catch (e) {
          steps.push({ backend: h.backend, server: h.server, result: null, error: describeError(e).detail });
        }
      }
      return { lvs, haproxy: steps };
    },
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: drainKeys.all(cluster) });
      void qc.invalidateQueries({ queryKey: clusterKeys.detail(cluster) });
      if (everywhere) void qc.invalidateQueries({ queryKey: haproxyKeys.pools(cluster) });
    },
  });
  // Bring it back in steps (a whole host's restore only): starts a ramp instead of the restore.
  const rampOffered = canRampRestore(request);
  const [rampForm, setRampForm] = useState(DEFAULT_RAMP_RESTORE);
  const rampOn = rampOffered && rampForm.on;
  const rampMutation = useMutation({
    mutationFn: (body: RolloutRequestInput) => startRollout(cluster, body),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: rolloutKeys.all(cluster) });
      void qc.invalidateQueries({ queryKey: drainKeys.all(cluster) });
      void qc.invalidateQueries({ queryKey: clusterKeys.detail(cluster) });
    },
  });
  const dialogRef = useRef<HTMLDivElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  // Escape or a click outside never drops what the operator typed: it asks first.
  const [askDiscard, setAskDiscard] = useState(false);
  const typed = !mutation.data && !rampMutation.data && (reason.trim() !== '' || ticket.trim() !== '');
  const keepEditing = useCallback(() => {
    setAskDiscard(false);
    reasonRef.current?.focus();
  }, []);
  const requestClose = useCallback(() => {
    if (askDiscard) keepEditing();
    else if (typed) setAskDiscard(true);
    else onClose();
  }, [askDiscard, typed, keepEditing, onClose]);
  useModalFocus(dialogRef, { onEscape: requestClose, opener });

  const plan = planQuery.data;
  const refused = (plan?.refusals.length ?? 0) > 0;
  const needsReason = action !== 'restore' || rampOn;
  const leaseMinutes = /^\d+$/.test(lease) ? Number(lease) : undefined;
  // The steps bring back the LVS weights only: its HAProxy servers are left as they are.
  const haproxyTargets = hap !== null && withHaproxy && !rampOn ? hap.targets : [];
  const haproxyRefused = haproxyTargets.length > 0 && (hap?.refusals.length ?? 0) > 0;
  const blockers = [
    ...submitBlockers({
      planReady: plan !== undefined,
      planFailed: planQuery.isError,
      needsReason,
      reason,
      refusedWithoutForce: refused && !force,
      badWeight: action === 'weight' && weight === null,
      badLease: action !== 'restore' && lease !== '' && leaseMinutes === undefined,
      haproxyUnread: everywhere && withHaproxy && !rampOn && !poolsQuery.data ? (poolsQuery.isError ? 'failed' : 'reading') : null,
      haproxyRefusedWithoutForce: haproxyRefused && !haproxyForce,
    }),
    ...(rampOn ? rampRestoreBlockers(rampForm) : []),
  ];
  const canSubmit = blockers.length === 0 && !mutation.isPending && !rampMutation.isPending;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!canSubmit) return;
    if (rampOn) {
      const ramp = rampRestoreRequest(target, reason, rampForm);
      if (ramp.ok) rampMutation.mutate(ramp.body);
      return;
    }
    const body: ActionBody = {
      target,
      ...(service ? { service } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
      ...(action !== 'restore' && ticket.trim() ? { ticket: ticket.trim() } : {}),
      ...(action === 'weight' && weight !== null ? { weight } : {}),
      ...(action !== 'restore' && leaseMinutes !== undefined ? { expiresInMinutes: leaseMinutes, onExpiry } : {}),
      ...(action !== 'restore' && force ? { force: true } : {}),
    };
    const haproxy: HaproxyActionBody[] = haproxyTargets.map((t) => ({
      action: hap?.action ?? 'drain',
      backend: t.backend,
      server: t.server,
      reason: reason.trim(),
      ...(haproxyRefused && haproxyForce ? { force: true } : {}),
    }));
    mutation.mutate({ body, haproxy });
  }

  const scope = service
    ? `in ${service}`
    : hasPort(target)
      ? 'in every service it belongs to'
      : everywhere
        ? 'everywhere: every service this host serves and its HAProxy servers'
        : 'in every service this host serves';
  const result = mutation.data?.lvs;
  const rampResult = rampMutation.data;
  return (
    <ModalDialog
      ref={dialogRef}
      titleId={titleId}
      title={
        <>
          {VERB[action]} <span className="font-mono">{target}</span> <span className="text-base font-normal text-muted">{scope} · cluster {cluster}</span>
        </>
      }
      testId="drain-dialog"
      action={action}
      onBackdrop={requestClose}
    >
      <p className="text-xs text-muted">
        {action === 'drain'
          ? 'Weight 0 on every director: no new connections; existing ones finish. The console holds it through checker flaps, keepalived restarts and failovers until you restore.'
          : action === 'restore'
            ? 'Puts back the weight held before, on every director, and ends the hold.'
            : 'Sets this weight on every director and holds it until restored.'}
      </p>

      {planQuery.isPending && (action !== 'weight' || weight !== null) ? <p className="text-sm text-muted">Working out the impact…</p> : null}
      {planQuery.isError ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200" data-testid="plan-error">
          {describeError(planQuery.error).detail}
        </p>
      ) : null}
      {plan ? <PlanView plan={plan} /> : null}

      {plan && refused ? (
        <Refusals
          refusals={plan.refusals}
          force={force}
          onForce={setForce}
          forceLabel="Force: I know this takes the service's last serving real server out"
          testId="plan-refusals"
          forceTestId="force-checkbox"
        />
      ) : null}

      {everywhere && rampOn ? (
        <p className="border-t border-line pt-3 text-xs text-muted" data-testid="ramp-restore-haproxy-note">
          In steps brings back its LVS weights only: its HAProxy servers stay as they are (restore them on the HAProxy page, or untick “Bring it back in steps”).
        </p>
      ) : null}
      {everywhere && !rampOn ? (
        <HaproxyPart
          action={action === 'drain' ? 'drain' : 'ready'}
          plan={hap}
          error={poolsQuery.isError ? describeError(poolsQuery.error).detail : null}
          checked={withHaproxy}
          onChecked={setWithHaproxy}
          force={haproxyForce}
          onForce={setHaproxyForce}
          disabled={result !== undefined}
        />
      ) : null}

      {result ? (
        <ResultView result={result} haproxy={mutation.data?.haproxy ?? []} />
      ) : rampResult ? (
        <RampRestoreResult cluster={cluster} result={rampResult} />
      ) : (
        <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" noValidate>
          {action === 'weight' ? <WeightField max={65535} text={weightText} onText={setWeightText} valid={weight !== null} testId="weight-input" /> : null}
          <ReasonField ref={reasonRef} className="sm:col-span-2" value={reason} onChange={setReason} required={needsReason} example="kernel update on web-1" testId="reason-input" />
          {rampOffered ? <RampRestoreFields form={rampForm} onForm={setRampForm} disabled={rampMutation.isPending} /> : null}
          {action !== 'restore' ? (
            <>
              <label className="text-sm font-medium">
                Ticket or link (optional)
                <input className={FIELD_CLASS} value={ticket} onChange={(e) => setTicket(e.target.value)} data-testid="ticket-input" />
              </label>
              <div className="flex gap-2">
                <label className="flex-1 text-sm font-medium">
                  Lease, minutes (optional)
                  <input className={FIELD_CLASS} inputMode="numeric" value={lease} onChange={(e) => setLease(e.target.value.trim())} placeholder="no expiry" data-testid="lease-input" />
                </label>
                <label className="text-sm font-medium">
                  When it runs out
                  <select className={FIELD_CLASS} value={onExpiry} onChange={(e) => setOnExpiry(e.target.value === 'alert' ? 'alert' : 'restore')}>
                    <option value="restore">restore</option>
                    <option value="alert">alert only</option>
                  </select>
                </label>
              </div>
            </>
          ) : null}
          {rampOn && rampMutation.isError ? <RampRestoreError error={rampMutation.error} /> : null}
          {mutation.isError ? <ErrorText error={mutation.error} testId="action-error" className="sm:col-span-2" /> : null}
          {askDiscard ? (
            <div
              role="alertdialog"
              aria-labelledby={`${titleId}-discard`}
              className="flex flex-wrap items-center gap-2 rounded-md border border-amber-400 bg-amber-50 px-3 py-2 text-sm text-amber-950 sm:col-span-2 dark:border-amber-400/40 dark:bg-amber-400/10 dark:text-amber-100"
              data-testid="discard-confirm"
            >
              <span id={`${titleId}-discard`} className="mr-auto">
                Close and discard the {reason.trim() ? 'reason' : 'ticket'} you typed?
              </span>
              {/* Focus goes to the safe choice; Escape also keeps editing. */}
              <button type="button" autoFocus onClick={keepEditing} className="rounded-md border border-line-strong bg-surface px-3 py-1 hover:bg-hover">
                Keep editing
              </button>
              <button type="button" onClick={onClose} className="rounded-md border border-amber-500 px-3 py-1 font-medium hover:bg-amber-100 dark:hover:bg-amber-400/20">
                Discard and close
              </button>
            </div>
          ) : null}
          <DialogActions
            className="sm:col-span-2"
            blockers={blockers}
            blockersPrefix="Not yet: "
            pending={mutation.isPending || rampMutation.isPending}
            label={rampOn ? 'Start restore in steps' : `${VERB[action]} on every director`}
            pendingLabel={rampOn ? 'Starting the ramp…' : 'Applying on every director…'}
            tone={action === 'drain' || (action === 'weight' && weight === 0) ? 'takes-out' : 'normal'}
            onCancel={onClose}
            blockersId={`${titleId}-blockers`}
            blockersTestId="submit-blockers"
            confirmTestId="confirm-action"
          />
        </form>
      )}

      {result && result.action === 'drain' && !result.dryRun ? (
        <section aria-label="Drain progress" className="border-t border-line pt-3">
          <h3 className="mb-2 text-sm font-semibold">Progress on the director holding the VIP</h3>
          <DrainProgressView cluster={cluster} target={{ target, service }} />
        </section>
      ) : null}

      {result || rampResult ? (
        <div className="flex justify-end gap-2">
          {result && result.outcome !== 'ok' ? (
            <button
              type="button"
              onClick={() => mutation.reset()}
              className="rounded-md border border-line-strong px-3 py-1.5 text-sm hover:bg-hover"
              data-testid="retry-action"
            >
              Retry
            </button>
          ) : null}
          <button type="button" onClick={onClose} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700" data-testid="close-dialog">
            Close
          </button>
        </div>
      ) : null}
    </ModalDialog>
  );
}

/** The HAProxy half of a drain (or restore) everywhere: which servers, their sessions, the last-UP refusals. */
function HaproxyPart({
  action,
  plan,
  error,
  checked,
  onChecked,
  force,
  onForce,
  disabled,
}: {
  action: 'drain' | 'ready';
  plan: ReturnType<typeof hostHaproxyPlan> | null;
  error: string | null;
  checked: boolean;
  onChecked: (v: boolean) => void;
  force: boolean;
  onForce: (v: boolean) => void;
  disabled: boolean;
}) {
  const body = error ? (
    <p role="alert" className="text-red-800 dark:text-red-300" data-testid="host-haproxy-error">
      Could not read HAProxy: {error}
    </p>
  ) : plan === null ? (
    <p className="text-muted">Reading HAProxy…</p>
  ) : plan.targets.length === 0 ? (
    <p className="text-muted" data-testid="host-haproxy-none">
      {action === 'drain' ? 'No HAProxy backend of this cluster has this host as a server.' : 'The console holds none of its HAProxy servers in drain or maint.'}
    </p>
  ) : (
    <>
      <label className="flex items-start gap-2 font-medium">
        <input type="checkbox" className="mt-0.5" checked={checked} disabled={disabled} onChange={(e) => onChecked(e.target.checked)} data-testid="host-haproxy-checkbox" />
        <span>
          Also {action === 'drain' ? 'drain' : 'restore'} its HAProxy {plan.targets.length === 1 ? 'server' : 'servers'} on every instance, with the same reason
        </span>
      </label>
      <ul className="ml-6 space-y-0.5 font-mono" data-testid="host-haproxy-targets">
        {plan.targets.map((t) => (
          <li key={`${t.backend}/${t.server}`} data-testid="host-haproxy-target" data-backend={t.backend} data-server={t.server}>
            {t.backend}/{t.server} <span className="font-sans text-muted">({t.sessionsNow ?? '–'} sessions now)</span>
          </li>
        ))}
      </ul>
      {action === 'drain' ? <p className="ml-6 text-muted">Held in HAProxy until restored (this host's restore restores them too); a lease applies to the LVS hold only.</p> : null}
      {checked && plan.refusals.length > 0 ? (
        <Refusals
          refusals={plan.refusals}
          force={force}
          onForce={onForce}
          forceLabel="Force: I know this leaves an HAProxy backend with no UP server"
          testId="host-haproxy-refusals"
          forceTestId="host-haproxy-force"
        />
      ) : null}
    </>
  );
  return (
    <section className="space-y-2 border-t border-line pt-3 text-xs" aria-label="HAProxy" data-testid="host-haproxy-plan">
      <h3 className="text-sm font-semibold">HAProxy</h3>
      {body}
    </section>
  );
}
