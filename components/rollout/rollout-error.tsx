import { describeError } from '@/components/ui/error-state';
import { refusalsOf } from './board-model';

// How a rollout's start or action failed: the capacity floor's (or a conflict's) refusals as a
// list, verbatim with their numbers, or the error in one sentence.

export function Refused({ refusals, testId }: { refusals: readonly string[]; testId?: string }) {
  return (
    <ul className="list-disc space-y-0.5 pl-5 text-sm text-red-900 dark:text-red-200" data-testid={testId}>
      {refusals.map((r) => (
        <li key={r}>{r}</li>
      ))}
    </ul>
  );
}

export function RolloutError({ error, testId, refusalsTestId, className = '' }: { error: unknown; testId: string; refusalsTestId?: string; className?: string }) {
  const refusals = refusalsOf(error);
  return (
    <div
      role="alert"
      className={`rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-400/30 dark:bg-red-400/10 dark:text-red-200 ${className}`}
      data-testid={testId}
    >
      {refusals.length > 0 ? (
        <>
          <p className="font-medium">Refused:</p>
          <Refused refusals={refusals} testId={refusalsTestId} />
        </>
      ) : (
        <p>{describeError(error).detail}</p>
      )}
    </div>
  );
}
