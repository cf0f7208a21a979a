'use client';

import { RouteError } from '@/components/ui/route-error';

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  return <RouteError title="This page failed to render" error={error} retry={retry} />;
}
