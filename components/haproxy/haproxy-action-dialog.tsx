'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { HaproxyActionBody } from '@/lib/api/client';
import { haproxyKeys, postHaproxyAction } from '@/lib/api/haproxy';
import {
  HAPROXY_REASON_REQUIRED,
  haproxyImpact,
  haproxyTakesOut,
  type HaproxyActionKind,
  type HaproxyActionResult,
  type HaproxyHold,
  type HaproxyInstanceView,
} from '@/lib/models/haproxy';
import { ReasonField, WeightField } from '@/components/ui/action-fields';
import { ErrorText } from '@/components/ui/error-state';
import { DialogActions, ModalDialog, Refusals } from '@/components/ui/dialog-parts';

// The one dialog for HAProxy's drain / maint / ready / weight / release of one server, as the LVS
// drain's: the impact first (per instance: its status, the sessions on it now, the other UP servers
// of the backend), the last-UP-server refusal with an explicit force, a required typed reason (it goes
// to the audit log), maint shown as what it is (it cuts the open sessions). The server checks the
// same rule again on a fresh read before sending anything.

export interface HaproxyDialogRequest {
  backend: string;
  server: string;
  action: HaproxyActionKind;
  weight?: number | null;
}

// Undo says what the LVS dialog says: Restore (HAProxy's "ready": back in rotation, the hold ended).
const VERB: Record<HaproxyActionKind, string> = { drain: 'Drain', maint: 'Maint', ready: 'Restore', weight: 'Set weight of', release: 'Release' };

function explain(action: HaproxyActionKind, sessions: number): string {
  switch (action) {
    case 'drain':
      return 'No new sessions go to it; the open ones finish. Held on every instance (re-applied after a reload) until restore or release.';
    case 'maint':
      return `Maintenance takes it out AT ONCE: HAProxy cuts the sessions on it now (${sessions} on all instances), their clients see errors and reconnect elsewhere. To let them finish, drain first. Held until restore or release.`;
    case 'ready':
      return "Puts it back in rotation on every instance (HAProxy's state ready: it takes new sessions once its check passes) and ends the drain or maint hold.";
    case 'weight':
      return 'Sets this weight on every instance and holds it until release. Weight 0 takes it out of rotation (no new sessions).';
    case 'release':
      return 'Stops holding: HAProxy is left as it is now on every instance, and nothing is re-applied after a reload.';
  }
}

export function HaproxyActionDialog({
  cluster,
  request,
  instances,
  holds,
  onClose,
  onDone,
}: {
  cluster: string;
  request: HaproxyDialogRequest;
  instances: readonly HaproxyInstanceView[];
  holds: readonly HaproxyHold[];
  onClose: () => void;
  onDone: (r: HaproxyActionResult) => void;
}) {
  const { backend, server, action } = request;
  const titleId = useId();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  const [weightText, setWeightText] = useState(String(request.weight ?? 1));
  const weight = /^\d{1,3}$/.test(weightText) && Number(weightText) <= 256 ? Number(weightText) : null;
  const impact = haproxyImpact(instances, backend, server, action, action === 'weight' ? weight : undefined);
  const refused = impact.refusals.length > 0;
  const needsReason = HAPROXY_REASON_REQUIRED.includes(action);
  const sessions = impact.instances.reduce((n, i) => n + (i.sessionsNow ?? 0), 0);
  const mine = holds.filter((h) => h.backend === backend && h.server === server);
  const mutation = useMutation({
    mutationFn: (body: HaproxyActionBody) => postHaproxyAction(cluster, body),
    onSuccess: (r) => onDone(r),
    onSettled: () => void qc.invalidateQueries({ queryKey: haproxyKeys.pools(cluster) }),
  });
  const dialogRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    dialogRef.current?.querySelector<HTMLElement>('textarea, input')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const missingReason = needsReason && reason.trim() === '';
  const blocker = mutation.isPending
    ? 'sending…'
    : missingReason
      ? 'reason required'
      : refused && !force
        ? 'last UP server: tick force to do it anyway'
        : action === 'weight' && weight === null
          ? 'weight 0–256 required'
          : null;

  const destructive = action === 'maint';
  const takesOut = haproxyTakesOut(action, weight);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (blocker !== null) return;
    mutation.mutate({
      action,
      backend,
      server,
      reason: reason.trim(),
      ...(action === 'weight' && weight !== null ? { weight } : {}),
      ...(refused && force ? { force: true } : {}),
    });
  }

  return (
    <ModalDialog
      ref={dialogRef}
      titleId={titleId}
      title={
        <>
          {VERB[action]} <span className="font-mono">{backend}/{server}</span> <span className="text-base font-normal text-muted">on every instance · cluster {cluster}</span>
        </>
      }
      testId="haproxy-dialog"
      action={action}
      destructive={destructive}
      onBackdrop={onClose}
    >
      <p
        className={destructive ? 'rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm font-medium text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200' : 'text-xs text-muted'}
        data-testid="haproxy-dialog-explain"
      >
        {destructive ? '■ ' : ''}
        {explain(action, sessions)}
      </p>

      <table className="w-full text-left text-xs" data-testid="haproxy-impact">
        <thead className="text-muted">
          <tr>
            <th className="py-1 pr-2 font-medium">Instance</th>
            <th className="py-1 pr-2 font-medium">Status now</th>
            <th className="py-1 pr-2 text-right font-medium">Weight</th>
            <th className="py-1 pr-2 text-right font-medium">Sessions now</th>
            <th className="py-1 font-medium">Other UP servers of {backend}</th>
          </tr>
        </thead>
        <tbody>
          {impact.instances.map((i) => (
            <tr key={i.instance} className="border-t border-line" data-testid="haproxy-impact-row" data-instance={i.instance} data-last={String(i.lastServing)}>
              <td className="py-1 pr-2 font-mono">
                {i.instance} <span className="text-muted">on {i.director}</span>
              </td>
              <td className="py-1 pr-2">{i.server ? i.server.status : <span className="text-red-700 dark:text-red-300">not read or no such server</span>}</td>
              <td className="py-1 pr-2 text-right">{i.server?.weight ?? '–'}</td>
              <td className="py-1 pr-2 text-right" data-testid="haproxy-impact-sessions">
                {i.sessionsNow ?? '–'}
              </td>
              <td className={`py-1 font-mono ${i.lastServing ? 'font-semibold text-red-700 dark:text-red-300' : ''}`}>
                {i.otherServing.length > 0 ? i.otherServing.join(', ') : takesOut ? 'none: it would be out of servers' : 'none'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {mine.length > 0 ? (
        <p className="text-xs text-muted">
          Held now:{' '}
          {mine.map((h) => `${h.aspect === 'state' ? h.state : `weight ${h.weight}`} by ${h.actor}${h.reason ? ` (“${h.reason}”)` : ''}`).join('; ')}
        </p>
      ) : null}

      {refused ? (
        <Refusals
          refusals={impact.refusals}
          force={force}
          onForce={setForce}
          forceLabel={`Force: I know this leaves backend ${backend} with no UP server`}
          testId="haproxy-refusals"
          forceTestId="haproxy-force"
        />
      ) : null}

      <form onSubmit={submit} className="grid gap-3" noValidate>
        {action === 'weight' ? <WeightField max={256} text={weightText} onText={setWeightText} valid={weight !== null} testId="haproxy-weight-input" /> : null}
        <ReasonField value={reason} onChange={setReason} required={needsReason} example="MariaDB upgrade on rs1" testId="haproxy-reason" />
        {mutation.isError ? <ErrorText error={mutation.error} testId="haproxy-action-error" /> : null}
        <DialogActions
          blockers={blocker === null || mutation.isPending ? [] : [blocker]}
          pending={mutation.isPending}
          label={`${VERB[action]} on every instance`}
          pendingLabel="Applying on every instance…"
          tone={destructive ? 'destructive' : takesOut ? 'takes-out' : 'normal'}
          onCancel={onClose}
          blockersId={`${titleId}-blockers`}
          blockersTestId="haproxy-blocker"
          confirmTestId="haproxy-confirm"
        />
      </form>
    </ModalDialog>
  );
}
