'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { maintenanceAction, maintenanceKeys, maintenanceQueries } from '@/lib/api/maintenance';
import { clusterKeys } from '@/lib/api/queries';
import { blockingRefusals, type CheckStatus, type MaintenanceAction, type MaintenancePreflight, type MaintenanceResult } from '@/lib/models/maintenance';
import { FIELD_CLASS, ReasonField } from '@/components/ui/action-fields';
import { CopyButton } from '@/components/ui/copy-button';
import { DialogActions, ModalDialog } from '@/components/ui/dialog-parts';
import { ErrorText } from '@/components/ui/error-state';
import { useModalFocus } from '@/components/ui/modal-focus';
import { StatusPill, type Tone } from '@/components/ui/status-pill';

// Director maintenance's dialog: the pre-flight (read when it opens: both directors' connection
// tables), every item ok / warning / refused with its reason, what moves, whether connections
// survive; then the reason and the confirm. The answer comes once the VIPs were seen on the peer
// (or the switch was rolled back), and says which.

const TONE: Record<CheckStatus, Tone> = { ok: 'ok', warning: 'warning', refusal: 'critical' };
const LABEL: Record<CheckStatus, string> = { ok: 'ok', warning: 'warning', refusal: 'refused' };

function Checks({ preflight }: { preflight: MaintenancePreflight }) {
  return (
    <ul className="space-y-1.5 text-sm" data-testid="preflight-checks" aria-label="Pre-flight">
      {preflight.checks.map((c) => (
        <li key={c.id} className="flex gap-2" data-testid="preflight-check" data-id={c.id} data-status={c.status}>
          <span className="shrink-0">
            <StatusPill tone={TONE[c.status]}>{LABEL[c.status]}</StatusPill>
          </span>
          <span>
            <span className="font-medium">{c.title}</span>: <span className="text-muted">{c.detail}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function ConfigHint({ hint }: { hint: string }) {
  return (
    <div className="space-y-1" data-testid="maintenance-config-hint">
      <p className="flex items-center gap-2 text-sm font-medium">
        Add to keepalived.conf on every director, then reload keepalived <CopyButton text={hint} label="the keepalived.conf lines" />
      </p>
      <pre className="overflow-x-auto rounded-md bg-sunken p-2 font-mono text-xs">{hint}</pre>
    </div>
  );
}

function ResultView({ result }: { result: MaintenanceResult }) {
  const tone: Tone = result.outcome === 'ok' ? 'ok' : result.outcome === 'planned' ? 'info' : 'critical';
  return (
    <div role="status" className="space-y-1 rounded-md border border-line px-3 py-2 text-sm" data-testid="maintenance-result" data-outcome={result.outcome}>
      <p className="flex items-center gap-2">
        <StatusPill tone={tone}>{result.outcome}</StatusPill>
        <span>{result.message}</span>
      </p>
      {result.verification?.gapMs != null ? <p className="text-xs text-muted">No director held the VIPs for up to {(result.verification.gapMs / 1000).toFixed(1)} s.</p> : null}
      {result.verification?.eventGapMs != null ? (
        <p className="text-xs text-muted" data-testid="maintenance-event-gap" data-gap-ms={result.verification.eventGapMs}>
          keepalived&apos;s logs:{' '}
          {result.verification.eventGapMs === 0 ? 'no moment without a master (preempted).' : `no master for ${(result.verification.eventGapMs / 1000).toFixed(1)} s.`}
        </p>
      ) : null}
      {result.verification?.failoverEventIds.length ? (
        <p className="text-xs">
          On the timeline:{' '}
          {result.verification.failoverEventIds.map((id, i) => (
            <span key={id}>
              {i > 0 ? ', ' : ''}
              <a href={`#event-${id}`} className="text-accent hover:underline" data-testid="maintenance-failover-link">
                the failover{result.verification && result.verification.failoverEventIds.length > 1 ? ` ${i + 1}` : ''}
              </a>
            </span>
          ))}
        </p>
      ) : null}
    </div>
  );
}

export function MaintenanceDialog({
  cluster,
  director,
  action,
  opener,
  onClose,
}: {
  cluster: string;
  director: string;
  action: MaintenanceAction;
  opener: HTMLElement | null;
  onClose: () => void;
}) {
  const titleId = useId();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [lease, setLease] = useState('');
  const leaseMinutes = /^\d+$/.test(lease) && Number(lease) >= 1 && Number(lease) <= 10_080 ? Number(lease) : undefined;
  const [force, setForce] = useState(false);
  // One pre-flight, read unforced: the force box is judged here from its answer (blockingRefusals, the
  // server's own rule), and the server judges it again, on fresh reads, when the action is posted.
  const pre = useQuery(maintenanceQueries.preflight(cluster, director, action));
  const mutation = useMutation({
    mutationFn: () =>
      maintenanceAction(cluster, director, action, {
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(action === 'enter' && ticket.trim() ? { ticket: ticket.trim() } : {}),
        ...(action === 'enter' && leaseMinutes !== undefined ? { expiresInMinutes: leaseMinutes } : {}),
        ...(force ? { force: true } : {}),
      }),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: maintenanceKeys.all(cluster) });
      void qc.invalidateQueries({ queryKey: clusterKeys.detail(cluster) });
    },
  });
  const dialogRef = useRef<HTMLDivElement>(null);
  useModalFocus(dialogRef, { onEscape: onClose, opener });

  const p = pre.data;
  const forcible = p?.checks.some((c) => c.status === 'refusal' && c.forcible) ?? false;
  const hardRefusal = p ? blockingRefusals(p.checks, true).length > 0 : false;
  const blockers = [
    ...(p ? [] : [pre.isError ? 'the pre-flight failed' : 'running the pre-flight']),
    ...(p && blockingRefusals(p.checks, force).length > 0 ? ['the pre-flight refuses (see above)'] : []),
    ...(action === 'enter' && reason.trim() === '' ? ['a reason'] : []),
    ...(action === 'enter' && lease !== '' && leaseMinutes === undefined ? ['a lease of 1 to 10080 minutes, or none'] : []),
  ];
  const result = mutation.data;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (blockers.length === 0 && !mutation.isPending) mutation.mutate();
  }

  const title = action === 'enter' ? 'Put in maintenance' : 'Give back';
  return (
    <ModalDialog
      ref={dialogRef}
      titleId={titleId}
      title={
        <>
          {title} <span className="font-mono">{director}</span> <span className="text-base font-normal text-muted">· cluster {cluster}</span>
        </>
      }
      testId="maintenance-dialog"
      action={action}
      onBackdrop={onClose}
    >
      <p className="text-xs text-muted">
        {action === 'enter'
          ? `Writes 1 into ${director}'s VRRP track file: keepalived lowers its priority and the peer takes every VIP. The console then watches ip addr until the VIPs are on the peer, and writes 0 back if they do not move.`
          : `Writes 0 into ${director}'s track file: its priority is restored; when it preempts and outranks the holder, the VIPs come back.`}
      </p>

      {pre.isPending ? <p className="text-sm text-muted">Running the pre-flight (reads both directors' connection tables)…</p> : null}
      {pre.isError ? <ErrorText error={pre.error} testId="preflight-error" /> : null}
      {p ? <Checks preflight={p} /> : null}
      {p?.configHint ? <ConfigHint hint={p.configHint} /> : null}
      {forcible && !hardRefusal && !result ? (
        <label className="flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="maintenance-force" />
          Force: I know the directors&apos; IPVS tables differ
        </label>
      ) : null}

      {result ? (
        <ResultView result={result} />
      ) : (
        <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2" noValidate>
          <ReasonField className="sm:col-span-2" value={reason} onChange={setReason} required={action === 'enter'} example={`kernel update on ${director}`} testId="maintenance-reason" />
          {action === 'enter' ? (
            <label className="text-sm font-medium">
              Ticket or link (optional)
              <input className={FIELD_CLASS} value={ticket} onChange={(e) => setTicket(e.target.value)} data-testid="maintenance-ticket" />
            </label>
          ) : null}
          {action === 'enter' ? (
            <label className="text-sm font-medium">
              Lease, minutes (optional: given back by itself, checked first)
              <input className={FIELD_CLASS} inputMode="numeric" value={lease} onChange={(e) => setLease(e.target.value.trim())} placeholder="until given back" data-testid="maintenance-lease" />
            </label>
          ) : null}
          {mutation.isError ? <ErrorText error={mutation.error} testId="maintenance-error" className="sm:col-span-2" /> : null}
          <DialogActions
            className="sm:col-span-2"
            blockers={blockers}
            blockersPrefix="Not yet: "
            pending={mutation.isPending}
            label={action === 'enter' ? `Move the VIPs off ${director}` : `Give ${director} back`}
            pendingLabel="Switching, then watching the VIPs…"
            tone={action === 'enter' ? 'takes-out' : 'normal'}
            onCancel={onClose}
            blockersId={`${titleId}-blockers`}
            blockersTestId="maintenance-blockers"
            confirmTestId="maintenance-confirm"
          />
        </form>
      )}
      {result ? (
        <div className="flex justify-end">
          <button type="button" onClick={onClose} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700" data-testid="maintenance-close">
            Close
          </button>
        </div>
      ) : null}
    </ModalDialog>
  );
}
