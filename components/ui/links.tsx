import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';

// The console's own page addresses, spelled in one place (API addresses live in lib/api/client.ts).

export const pageHrefs = {
  overview: (): string => '/',
  cluster: (name: string): string => `/clusters/${encodeURIComponent(name)}`,
  checks: (name: string): string => `/clusters/${encodeURIComponent(name)}/checks`,
  haproxy: (name: string): string => `/clusters/${encodeURIComponent(name)}/haproxy`,
  events: (name: string): string => `/clusters/${encodeURIComponent(name)}/events`,
  rollouts: (name: string): string => `/clusters/${encodeURIComponent(name)}/rollouts`,
  rollout: (name: string, id: string): string => `/clusters/${encodeURIComponent(name)}/rollouts/${encodeURIComponent(id)}`,
  host: (address: string): string => `/hosts/${encodeURIComponent(address)}`,
};

/** Route params arrive percent-encoded or not depending on the path; decode once, safely. */
export function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A dynamic page's props: its route parameters, as Next.js hands them (a promise). */
export type ParamProps<K extends string> = { params: Promise<Record<K, string>> };

/** One route parameter of a dynamic page, decoded. */
export async function routeParam<K extends string>(props: ParamProps<K>, key: K): Promise<string> {
  return decodeParam((await props.params)[key]);
}

/** A dynamic page's generateMetadata: the title made from one route parameter. */
export function titleFromParam<K extends string>(key: K, title: (value: string) => string): (props: ParamProps<K>) => Promise<Metadata> {
  return async (props) => ({ title: title(await routeParam(props, key)) });
}

const LINK_CLASSES =
  'text-accent underline-offset-2 decoration-accent/40 hover:underline focus-visible:underline';

export function ClusterLink({ name, children, className = '' }: { name: string; children?: ReactNode; className?: string }) {
  return (
    <Link href={pageHrefs.cluster(name)} className={`${LINK_CLASSES} ${className}`} prefetch={false}>
      {children ?? name}
    </Link>
  );
}

export function HostLink({
  address,
  children,
  className = '',
  title,
}: {
  address: string;
  children?: ReactNode;
  className?: string;
  title?: string;
}) {
  return (
    <Link href={pageHrefs.host(address)} className={`${LINK_CLASSES} ${className}`} prefetch={false} title={title}>
      {children ?? address}
    </Link>
  );
}
