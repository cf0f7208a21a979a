import Link from 'next/link';
import { EmptyState } from '@/components/ui/empty-state';

export default function NotFound() {
  return (
    <EmptyState
      title="There is no page here"
      data-testid="page-not-found"
      action={
        <Link href="/" className="text-accent hover:underline">
          Back to all clusters
        </Link>
      }
    >
      Check the address, or start from the overview.
    </EmptyState>
  );
}
