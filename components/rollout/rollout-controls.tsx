'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { clusterKeys } from '@/lib/api/queries';
import { rolloutAction, rolloutKeys } from '@/lib/api/rollout-queries';
import type { Rollout, RolloutActionRequest, RolloutActionResult } from '@/lib/models/rollout';
import { ReasonField } from '@/components/ui/action-fields';
import { DialogActions, ModalDialog } from '@/components/ui/dialog-parts';
import { useModalFocus } from '@/components/ui/modal-focus';
import { heldHosts, rolloutControls } from './board-model';
import { RolloutError } from './rollout-error';

// A rollout's actions: one mutation for all of them (one at a time), its answer's message in a live
// region, its error plainly (with the capacity floor's refusals when a resume is refused), and the
// rollout's own buttons: Pause / Resume, Abort (confirmed: the hosts stay as they are) and Restore all.

export interface RolloutActions {
  run: (body: RolloutActionRequest) => void;
  pending: boolean;
  result: RolloutActionResult | undefined;
  error: unknown;
}

export function useRolloutActions(cluster: string, id: string): RolloutActions {
  const qc = useQueryClient();
  const mutation = useMutation({
    mutationFn: (body: RolloutActionRequest) => rolloutAction(cluster, id, body),
    onSuccess: (result) => qc.setQueryData(rolloutKeys.detail(cluster, id), result.rollout),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: rolloutKeys.all(cluster) });
      void qc.invalidateQueries({ queryKey: clusterKeys.detail(cluster) });
    },
  });
  return {
    run: (body) => {
      if (!mutation.isPending) mutation.mutate(body);
    },
    pending: mutation.isPending,
    result: mutation.data,
    error: mutation.error,
  };
}

/** The last action's answer (polite live region, always present so screen readers hear the change) or its error. */
export function ActionOutcome({ actions }: { actions: RolloutActions }) {
  return (
    <div className="space-y-2">
      <div role="status" aria-live="polite" className="text-sm" data-testid="rollout-action-message">
        {actions.pending ? <p className="text-muted">Working…</p> : null}
        {!actions.pending && actions.result && !actions.error ? (
          <p className="rounded-md bg-sunken px-3 py-2">
            {actions.result.message}
            {actions.result.auditId ? <span className="ml-1 text-xs text-muted">(audit #{actions.result.auditId})</span> : null}
          </p>
        ) : null}
      </div>
      {actions.error && !actions.pending ? (
        <RolloutError error={actions.error} testId="rollout-action-error" />
      ) : null}
    </div>
  );
}

const BTN = 'rounded-md border border-line-strong px-3 py-1 text-sm hover:bg-hover disabled:opacity-50';

export function RolloutControls({ rollout, actions }: { rollout: Rollout; actions: RolloutActions }) {
  const [aborting, setAborting] = useState<HTMLElement | null>(null);
  const controls = rolloutControls(rollout);
  if (controls.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-2" role="group" aria-label={`Rollout #${rollout.id} controls`} data-testid="rollout-controls">
      {controls.includes('pause') ? (
        <button type="button" className={BTN} disabled={actions.pending} onClick={() => actions.run({ action: 'pause' })} data-testid="rollout-pause" title="Stop after the step under way; nothing is undone">
          Pause
        </button>
      ) : null}
      {controls.includes('resume') ? (
        <button type="button" className={BTN} disabled={actions.pending} onClick={() => actions.run({ action: 'resume' })} data-testid="rollout-resume" title="Go on (a stopped step is tried again)">
          Resume
        </button>
      ) : null}
      {controls.includes('restore-all') ? (
        <button
          type="button"
          className={BTN}
          disabled={actions.pending}
          onClick={() => actions.run({ action: 'restore-all' })}
          data-testid="rollout-restore-all"
          title="Give every host this rollout drained its weight back"
        >
          Restore all
        </button>
      ) : null}
      {controls.includes('abort') ? (
        <button
          type="button"
          className={`${BTN} border-red-400 text-red-800 dark:border-red-400/50 dark:text-red-300`}
          disabled={actions.pending}
          onClick={(e) => setAborting(e.currentTarget)}
          data-testid="rollout-abort"
          title="Stop this rollout for good; every host stays as it is"
        >
          Abort
        </button>
      ) : null}
      {aborting ? (
        <AbortDialog
          rollout={rollout}
          opener={aborting}
          onClose={() => setAborting(null)}
          onConfirm={(reason) => {
            actions.run({ action: 'abort', ...(reason ? { reason } : {}) });
            setAborting(null);
          }}
        />
      ) : null}
    </div>
  );
}

function AbortDialog({ rollout, opener, onClose, onConfirm }: { rollout: Rollout; opener: HTMLElement; onClose: () => void; onConfirm: (reason: string) => void }) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const [reason, setReason] = useState('');
  useModalFocus(ref, { onEscape: onClose, opener });
  const held = heldHosts(rollout).map((h) => h.host);
  function submit(e: FormEvent) {
    e.preventDefault();
    onConfirm(reason.trim());
  }
  return (
    <ModalDialog ref={ref} titleId={titleId} title={`Abort rollout #${rollout.id}?`} testId="rollout-abort-dialog" action="abort" destructive onBackdrop={onClose}>
      <p className="text-sm">
        The rollout stops for good and <strong>every host stays as it is</strong>: nothing is restored.
        {held.length > 0 ? (
          <>
            {' '}
            Still out of rotation or part-way up the ramp: <span className="font-mono">{held.join(', ')}</span>. Give them back afterwards with Restore all (or each host&apos;s restore).
          </>
        ) : (
          ' No host is out of rotation now.'
        )}
      </p>
      <form onSubmit={submit} className="space-y-3" noValidate>
        <ReasonField value={reason} onChange={setReason} required={false} example="the patch fails on rs1" testId="rollout-abort-reason" className="block" />
        <DialogActions
          blockers={[]}
          pending={false}
          label="Abort rollout"
          pendingLabel="Aborting…"
          tone="destructive"
          onCancel={onClose}
          blockersId={`${titleId}-blockers`}
          blockersTestId="rollout-abort-blockers"
          confirmTestId="rollout-abort-confirm"
        />
      </form>
    </ModalDialog>
  );
}
