'use client';

import { formatDuration } from '@/lib/format';
import { ROLLOUT_STEPS, type Rollout, type RolloutStep } from '@/lib/models/rollout';
import { HostLink } from '@/components/ui/links';
import { useClock } from '@/components/ui/relative-time';
import { useNow } from '@/components/ui/use-now';
import { boardBatches, logNewestFirst, rampPlan, type BoardCell, type BoardRow, type HostAction } from './board-model';
import { StillConnected } from './still-connected';

// The rollout board: one row per host, grouped by batch, one column per step. The cell a host is in
// says the step, its note and what is left of it (the drain deadline, the timer, the ramp, the
// check); a drain past its deadline is amber with the connections left, and a host draining (or at
// its deadline) unfolds who is still connected; a skipped host is grey.
// Operators get the host's buttons in the last column. Then the ramp's weights per server and the
// log, newest first.

const COLUMN_TITLE: Record<RolloutStep, string> = {
  pending: 'Pending',
  draining: 'Draining',
  deadline: 'Deadline',
  maintenance: 'Maintenance',
  ramping: 'Ramping',
  checking: 'Checking',
  done: 'Done',
  skipped: 'Skipped',
};

/** The current cell's colours, by what the host is doing (light and dark). */
function currentTone(step: RolloutStep, active: boolean): string {
  if (step === 'deadline') return 'bg-amber-50 ring-1 ring-inset ring-amber-400 dark:bg-amber-400/10 dark:ring-amber-400/40';
  if (step === 'done') return 'bg-emerald-50 dark:bg-emerald-400/10';
  if (step === 'skipped') return 'text-muted';
  if (!active) return 'bg-sunken';
  return 'bg-indigo-50 ring-1 ring-inset ring-indigo-300 dark:bg-indigo-400/10 dark:ring-indigo-400/40';
}

function pillTone(step: RolloutStep): string {
  switch (step) {
    case 'deadline':
    case 'draining':
      return 'bg-amber-100 text-amber-900 dark:bg-amber-400/15 dark:text-amber-200';
    case 'maintenance':
      return 'bg-sky-100 text-sky-900 dark:bg-sky-400/15 dark:text-sky-200';
    case 'ramping':
    case 'checking':
      return 'bg-indigo-100 text-indigo-900 dark:bg-indigo-400/15 dark:text-indigo-200';
    case 'done':
      return 'bg-emerald-100 text-emerald-900 dark:bg-emerald-400/15 dark:text-emerald-200';
    default:
      return 'bg-zinc-200 text-zinc-800 dark:bg-zinc-400/15 dark:text-zinc-300';
  }
}

function CurrentCell({ row, cluster, headId }: { row: BoardRow; cluster: string; headId: string }) {
  const deadline = row.step === 'deadline';
  return (
    <div className="space-y-0.5">
      <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-semibold ${pillTone(row.step)}`} data-testid="rollout-step">
        {row.step}
      </span>
      {deadline ? (
        <p className="text-xs font-medium text-amber-900 dark:text-amber-200" data-testid="rollout-connections-left">
          deadline passed{row.connectionsLeft !== null ? `: ${row.connectionsLeft} connection${row.connectionsLeft === 1 ? '' : 's'} left` : ''}
        </p>
      ) : null}
      {row.step === 'ramping' && row.ramp ? (
        <p className="text-xs">
          {row.ramp.pct} % (step {row.ramp.step} of {row.ramp.of})
        </p>
      ) : null}
      {row.note ? (
        <p className={`max-w-56 text-xs break-words ${deadline ? 'text-amber-900 dark:text-amber-200' : 'text-muted'}`} data-testid="rollout-note">
          {row.note}
        </p>
      ) : null}
      {row.eta ? (
        <p className="text-xs tabular-nums text-muted" data-testid="rollout-eta">
          {row.eta.what} {formatDuration(row.eta.ms)}
        </p>
      ) : null}
      {row.step === 'draining' || deadline ? <StillConnected cluster={cluster} host={row.host} describedBy={headId} /> : null}
    </div>
  );
}

function Cell({ cell, row, active, cluster, headId }: { cell: BoardCell; row: BoardRow; active: boolean; cluster: string; headId: string }) {
  const base = 'border-b border-line px-2 py-1.5 align-top';
  if (cell.state === 'current') {
    return (
      <td className={`${base} ${currentTone(row.step, active)}`} aria-current="step" data-testid="rollout-cell" data-column={cell.column} data-state="current">
        <CurrentCell row={row} cluster={cluster} headId={headId} />
      </td>
    );
  }
  return (
    <td className={`${base} text-xs text-muted`} data-testid="rollout-cell" data-column={cell.column} data-state={cell.state}>
      {cell.state === 'passed' ? (
        <>
          <span aria-hidden="true" className="text-emerald-700 dark:text-emerald-300">
            ✓
          </span>
          <span className="sr-only">passed</span>
        </>
      ) : null}
    </td>
  );
}

const ACTION_LABEL: Record<HostAction, string> = { done: 'Maintenance done', proceed: 'Proceed', skip: 'Skip' };
const ACTION_TITLE: Record<HostAction, string> = {
  done: 'The maintenance of this host is finished: restore it (ramp-up), then check it',
  proceed: 'Go on to the maintenance past the drain deadline, with the connections it still has',
  skip: 'Leave this host as it is now and go on without it',
};
const BTN = 'rounded border border-line-strong px-2 py-0.5 text-xs hover:bg-hover disabled:opacity-50';

export function RolloutBoard({
  rollout,
  onHostAction,
  busy = false,
}: {
  rollout: Rollout;
  /** Operators: the host's buttons call this; omitted (viewers): no Actions column. */
  onHostAction?: (action: HostAction, host: string) => void;
  /** An action is under way: the buttons wait. */
  busy?: boolean;
}) {
  const now = useNow();
  const batches = boardBatches(rollout, now);
  const active = rollout.state === 'running' || rollout.state === 'paused';
  const columns = ROLLOUT_STEPS.length + 1 + (onHostAction ? 1 : 0);
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-surface">
      <table className="w-full border-collapse text-sm" data-testid="rollout-board" aria-label={`Hosts of rollout #${rollout.id} by step`}>
        <thead>
          <tr>
            <th scope="col" className="border-b border-line bg-sunken px-2 py-1.5 text-left text-xs font-medium text-muted">
              Host
            </th>
            {ROLLOUT_STEPS.map((s) => (
              <th key={s} scope="col" className="border-b border-line bg-sunken px-2 py-1.5 text-left text-xs font-medium text-muted">
                {COLUMN_TITLE[s]}
              </th>
            ))}
            {onHostAction ? (
              <th scope="col" className="border-b border-line bg-sunken px-2 py-1.5 text-left text-xs font-medium text-muted">
                Actions
              </th>
            ) : null}
          </tr>
        </thead>
        {batches.map((b) => (
          <tbody key={b.batch} data-testid="rollout-batch" data-batch={b.batch} data-current={b.current}>
            <tr>
              <th scope="colgroup" colSpan={columns} className={`border-b border-line px-2 py-1 text-left text-xs font-semibold ${b.current ? 'text-ink' : 'text-muted'}`}>
                Batch {b.batch}
                {b.current ? <span className="ml-2 font-normal text-indigo-700 dark:text-indigo-300">(current)</span> : null}
              </th>
            </tr>
            {b.rows.map((row) => {
              const skipped = row.step === 'skipped';
              const headId = `rollout-host-${rollout.id}-${row.host}`;
              return (
                <tr
                  key={row.host}
                  className={skipped ? 'bg-sunken text-muted' : ''}
                  data-testid="rollout-host"
                  data-host={row.host}
                  data-step={row.step}
                  data-batch={row.batch}
                >
                  <th id={headId} scope="row" className="border-b border-line px-2 py-1.5 text-left align-top font-mono text-sm font-medium">
                    <HostLink address={row.host} />
                    {skipped ? <span className="ml-2 font-sans text-xs font-normal text-muted">skipped</span> : null}
                  </th>
                  {row.cells.map((cell) => (
                    <Cell key={cell.column} cell={cell} row={row} active={active && b.current} cluster={rollout.cluster} headId={headId} />
                  ))}
                  {onHostAction ? (
                    <td className="border-b border-line px-2 py-1.5 align-top">
                      <div className="flex flex-wrap gap-1">
                        {row.actions.map((a) => (
                          <button
                            key={a}
                            type="button"
                            className={`${BTN} ${a === 'done' ? 'border-indigo-400 font-medium text-indigo-800 dark:border-indigo-400/50 dark:text-indigo-200' : ''}`}
                            disabled={busy}
                            aria-describedby={headId}
                            title={ACTION_TITLE[a]}
                            data-testid={`rollout-${a}`}
                            onClick={() => onHostAction(a, row.host)}
                          >
                            {ACTION_LABEL[a]}
                          </button>
                        ))}
                      </div>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        ))}
      </table>
    </div>
  );
}

/** Each server's weight at every ramp step; the steps applied and verified are marked. */
export function RampWeights({ rollout }: { rollout: Pick<Rollout, 'id' | 'hosts' | 'options'> }) {
  const plan = rampPlan(rollout);
  if (plan.length === 0) return <p className="text-sm text-muted">No host has been drained yet: the weights come from each host&apos;s drain.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-surface">
      <table className="w-full border-collapse text-sm" data-testid="rollout-ramp" aria-label={`Ramp weights of rollout #${rollout.id}`}>
        <thead>
          <tr>
            <th scope="col" className="border-b border-line bg-sunken px-2 py-1.5 text-left text-xs font-medium text-muted">
              Real server
            </th>
            <th scope="col" className="border-b border-line bg-sunken px-2 py-1.5 text-left text-xs font-medium text-muted">
              Service
            </th>
            {rollout.options.ramp.map((pct) => (
              <th key={pct} scope="col" className="border-b border-line bg-sunken px-2 py-1.5 text-right text-xs font-medium text-muted">
                {pct} %
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {plan.map((s) => (
            <tr key={`${s.service} ${s.realServer}`} data-testid="rollout-ramp-server" data-real-server={s.realServer} data-service={s.service}>
              <th scope="row" className="border-b border-line px-2 py-1 text-left font-mono text-xs font-medium">
                {s.realServer}
              </th>
              <td className="border-b border-line px-2 py-1 font-mono text-xs text-muted">{s.service}</td>
              {s.steps.map((st) => (
                <td
                  key={st.pct}
                  className={`border-b border-line px-2 py-1 text-right text-xs tabular-nums ${st.reached ? 'font-semibold text-emerald-800 dark:text-emerald-300' : 'text-muted'}`}
                  data-reached={st.reached}
                >
                  {st.reached ? (
                    <>
                      <span aria-hidden="true">✓ </span>
                      <span className="sr-only">reached: </span>
                    </>
                  ) : null}
                  w{st.weight}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What happened, newest first. */
export function RolloutLog({ rollout }: { rollout: Pick<Rollout, 'id' | 'log'> }) {
  const clockOf = useClock();
  const lines = logNewestFirst(rollout.log);
  if (lines.length === 0) return <p className="text-sm text-muted">Nothing yet.</p>;
  return (
    // Focusable: a scrolling region keyboard users can scroll.
    <ol tabIndex={0} className="max-h-96 space-y-0.5 overflow-y-auto rounded-lg border border-line bg-surface px-3 py-2 text-xs" aria-label={`Log of rollout #${rollout.id}, newest first`} data-testid="rollout-log">
      {lines.map((l, i) => (
        <li key={`${l.at}-${lines.length - i}`} className="flex gap-2" data-testid="rollout-log-line">
          <time dateTime={new Date(l.at).toISOString()} className="shrink-0 tabular-nums text-muted" suppressHydrationWarning>
            {clockOf(l.at)}
          </time>
          {l.host ? <span className="shrink-0 font-mono">{l.host}</span> : null}
          <span className="break-words">{l.text}</span>
        </li>
      ))}
    </ol>
  );
}
