import type { ApiEndpoint } from '@/lib/models/api-docs';
import { Section } from '@/components/ui/card';
import { Table, Td, Th, Tr } from '@/components/ui/table';

// The API page: every endpoint of the OpenAPI document, grouped by tag, with its role, parameters
// and answer. Rendered on the server from the same document /api/openapi.json serves.

const METHOD_TONE: Record<string, string> = {
  GET: 'bg-sky-100 text-sky-900 dark:bg-sky-400/15 dark:text-sky-200',
  POST: 'bg-amber-100 text-amber-900 dark:bg-amber-400/15 dark:text-amber-200',
  DELETE: 'bg-red-100 text-red-900 dark:bg-red-400/15 dark:text-red-200',
};

function Params({ params }: { params: ApiEndpoint['params'] }) {
  if (params.length === 0) return <span className="text-muted">—</span>;
  return (
    <ul className="space-y-0.5">
      {params.map((p) => (
        <li key={`${p.in}:${p.name}`} title={p.description ?? undefined}>
          <code className="font-mono text-xs">
            {p.name}
            {p.required ? '' : '?'}
          </code>{' '}
          <span className="text-xs text-muted">
            {p.in} · {p.type.length > 60 ? `${p.type.slice(0, 57)}…` : p.type}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function ApiDocsView({ endpoints }: { endpoints: readonly ApiEndpoint[] }) {
  const tags = [...new Set(endpoints.map((e) => e.tag))];
  return (
    <div className="space-y-6">
      <p className="text-sm text-muted">
        The machine-readable document is <a className="underline" href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). Send an API token as{' '}
        <code className="font-mono">Authorization: Bearer lvs_…</code> (<code className="font-mono">lvsctl token create</code>), or use this browser session with
        its <code className="font-mono">x-csrf-token</code> on state changes. Errors answer <code className="font-mono">{'{"error":{"code","message"}}'}</code>.
      </p>
      {tags.map((tag) => (
        <Section key={tag} id={`api-${tag}`} title={tag}>
          <Table caption={`${tag} endpoints`} data-testid={`api-${tag}`}>
            <thead>
              <tr>
                <Th>Endpoint</Th>
                <Th>Role</Th>
                <Th>Parameters</Th>
                <Th>Answer</Th>
                <Th>Other statuses</Th>
              </tr>
            </thead>
            <tbody>
              {endpoints
                .filter((e) => e.tag === tag)
                .map((e) => (
                  <Tr key={`${e.method} ${e.path}`}>
                    <Td>
                      <div className="flex items-center gap-2">
                        <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-semibold ${METHOD_TONE[e.method] ?? ''}`}>{e.method}</span>
                        <code className="font-mono text-sm">{e.path}</code>
                      </div>
                      <div className="mt-0.5 text-xs text-muted">{e.summary}</div>
                    </Td>
                    <Td>
                      {e.role}
                      {e.alsoAllowed ? <div className="text-xs text-muted">or {e.alsoAllowed}</div> : null}
                    </Td>
                    <Td>
                      <Params params={e.params} />
                    </Td>
                    <Td>
                      <code className="font-mono text-xs">{e.returns}</code>
                    </Td>
                    <Td className="text-xs text-muted">{e.statuses.map((s) => s.code).filter((c) => c !== 'default').join(' ')}</Td>
                  </Tr>
                ))}
            </tbody>
          </Table>
        </Section>
      ))}
    </div>
  );
}
