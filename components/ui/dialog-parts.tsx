import type { ReactNode, Ref } from 'react';

// Parts shared by the action dialogs (the LVS drain/restore/weight dialog, HAProxy's and director
// maintenance's): the modal shell with its heading, the refusals of a planned action with the force
// box that overrides them, and the footer whose submit says why it is disabled.

/**
 * The modal shell: the dimmed backdrop (a click on it calls `onBackdrop`), the dialog (labelled by
 * its heading, `data-testid` and `data-action` for the tests) and the heading. Focus and Escape are
 * the caller's (useModalFocus on `ref`): what a dialog does on Escape differs.
 */
export function ModalDialog({
  ref,
  titleId,
  title,
  testId,
  action,
  destructive = false,
  onBackdrop,
  children,
}: {
  ref: Ref<HTMLDivElement>;
  titleId: string;
  /** The heading's content. */
  title: ReactNode;
  testId: string;
  action: string;
  /** A red border: the action cuts sessions. */
  destructive?: boolean;
  onBackdrop: () => void;
  children: ReactNode;
}) {
  return (
    <div className="fixed inset-0 z-40 flex items-start justify-center overflow-y-auto bg-black/40 p-4 sm:p-10" onClick={onBackdrop}>
      <div
        ref={ref}
        tabIndex={-1}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={testId}
        data-action={action}
        className={`w-full max-w-3xl space-y-4 rounded-lg border bg-surface p-5 shadow-lg ${destructive ? 'border-red-400 dark:border-red-400/50' : 'border-line'}`}
        onClick={(e) => e.stopPropagation()}
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}

export function Refusals({
  refusals,
  force,
  onForce,
  forceLabel,
  testId,
  forceTestId,
}: {
  refusals: readonly string[];
  force: boolean;
  onForce: (force: boolean) => void;
  /** What forcing means, said as the operator's own statement ("Force: I know this …"). */
  forceLabel: string;
  testId: string;
  forceTestId: string;
}) {
  return (
    <div className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200" data-testid={testId}>
      <ul className="list-disc pl-5">
        {refusals.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <label className="mt-2 flex items-center gap-2 font-medium">
        <input type="checkbox" checked={force} onChange={(e) => onForce(e.target.checked)} data-testid={forceTestId} />
        {forceLabel}
      </label>
    </div>
  );
}

/** How the confirm button looks: taking a server out is amber, cutting sessions red, the rest indigo. */
export type ConfirmTone = 'takes-out' | 'destructive' | 'normal';
const CONFIRM_TONE: Record<ConfirmTone, string> = {
  'takes-out': 'bg-amber-600 hover:bg-amber-700',
  destructive: 'bg-red-700 hover:bg-red-800',
  normal: 'bg-indigo-600 hover:bg-indigo-700',
};

/**
 * Cancel and the submit button. While `blockers` is not empty the submit is disabled and the
 * blockers are shown beside it and named as its description (a disabled button says why).
 */
export function DialogActions({
  blockers,
  blockersPrefix = '',
  pending,
  label,
  pendingLabel,
  tone,
  onCancel,
  blockersId,
  blockersTestId,
  confirmTestId,
  className = '',
}: {
  blockers: readonly string[];
  blockersPrefix?: string;
  pending: boolean;
  label: string;
  pendingLabel: string;
  tone: ConfirmTone;
  onCancel: () => void;
  blockersId: string;
  blockersTestId: string;
  confirmTestId: string;
  className?: string;
}) {
  const showBlockers = blockers.length > 0 && !pending;
  return (
    <div className={`flex flex-wrap items-center justify-end gap-2 ${className}`}>
      {showBlockers ? (
        <p id={blockersId} className="mr-auto text-xs text-muted" data-testid={blockersTestId}>
          {blockersPrefix}
          {blockers.join('; ')}
        </p>
      ) : null}
      <button type="button" onClick={onCancel} className="rounded-md border border-line-strong px-3 py-1.5 text-sm hover:bg-hover">
        Cancel
      </button>
      <button
        type="submit"
        disabled={blockers.length > 0 || pending}
        aria-describedby={showBlockers ? blockersId : undefined}
        data-testid={confirmTestId}
        className={`rounded-md px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 ${CONFIRM_TONE[tone]}`}
      >
        {pending ? pendingLabel : label}
      </button>
    </div>
  );
}
