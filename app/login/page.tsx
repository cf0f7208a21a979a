import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/auth/login-form';
import { Card } from '@/components/ui/card';
import { safeNextPath } from '@/lib/safe-next';
import { currentUser } from '@/server/api/page-actor';

export const metadata: Metadata = { title: 'Log in' };

/** Only same-origin paths (lib/safe-next.ts): an open redirect would make the login page a phishing aid. */
function safeNext(next: string | string[] | undefined): string {
  return safeNextPath(Array.isArray(next) ? next[0] : next);
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next);
  if (await currentUser()) redirect(next);
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <Card className="p-6">
        <h1 className="mb-1 text-lg font-semibold">Log in to the LVS console</h1>
        <p className="mb-5 text-sm text-muted">Your account is given by the console&apos;s administrator.</p>
        <LoginForm next={next} />
      </Card>
    </div>
  );
}
