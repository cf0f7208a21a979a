import type { ReactNode } from 'react';

export function EmptyState({
  title,
  children,
  action,
  'data-testid': testId = 'empty-state',
}: {
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  'data-testid'?: string;
}) {
  return (
    <div data-testid={testId} className="rounded-lg border border-dashed border-line-strong px-6 py-8 text-center">
      <p className="font-medium">{title}</p>
      {children ? <div className="mt-1 text-sm text-muted">{children}</div> : null}
      {action ? <div className="mt-4">{action}</div> : null}
    </div>
  );
}
