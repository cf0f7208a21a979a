import 'server-only';
import { z } from 'zod';
import { CreatedToken, RemovedUser, RevokedToken, TokenList, UserList, UserListing } from '@/lib/models/admin';
import { AuditList } from '@/lib/models/audit';
import { Me } from '@/lib/models/auth';
import { ClusterList, ClusterSnapshot, ClusterSnapshotQuery, HistoryResponse, HostMembership } from '@/lib/models/cluster';
import { DiagnosticsReport } from '@/lib/models/diagnostics';
import { HaproxyActionRequest, HaproxyActionResult, HaproxyHoldList, HaproxyView } from '@/lib/models/haproxy';
import { ActionResult, DrainPlan, DrainProgress, DrainRequest, IntentList, RestoreRequest, WeightRequest } from '@/lib/models/drain';
import { EventList } from '@/lib/models/events';
import { GiveBackRequest, MaintenancePreflight, MaintenanceRequest, MaintenanceResult, MaintenanceStatus } from '@/lib/models/maintenance';
import { Rollout, RolloutActionRequest, RolloutActionResult, RolloutCallbackRequest, RolloutList, RolloutRequest, RolloutStartResult } from '@/lib/models/rollout';
import { SearchQuery, SearchResponse } from '@/lib/models/search';
import { WebhookStatusList } from '@/lib/models/webhooks';
import { ConsolesView } from '@/lib/models/consoles';
import { NewToken, NewUser } from '@/server/api/admin';
import { LoginBody } from '@/server/api/login';
import { IntentsQuery, PlanQuery, ProgressQuery } from '@/server/api/drain';
import { PreflightQuery } from '@/server/api/maintenance';
import { RolloutsQuery } from '@/server/api/rollout';
import { AuditQuery } from '@/server/api/read/audit';
import { HistoryQuery } from '@/server/api/read/clusters';
import { EventsQuery } from '@/server/api/read/events';
import type { ApiEndpoint } from '@/lib/models/api-docs';
import { JSON_BODY_LIMIT, LOGIN_BODY_LIMIT } from './body';
import { API_ERROR_STATUS } from './errors';

// The OpenAPI 3.1 document (GET /api/openapi.json), generated from the zod schemas the routes
// themselves parse requests with and the lib/models schemas their answers follow (z.toJSONSchema,
// JSON Schema 2020-12, which OpenAPI 3.1 uses as is). One entry per route and method below;
// app/api/openapi.test.ts fails when a route file is missing here, or when a live answer does not
// match its documented schema.

export type Level = 'public' | 'viewer' | 'operator' | 'admin';
type Method = 'get' | 'post' | 'delete';

export interface Operation {
  /** The route file's directory under app/ ("api/clusters/[cluster]"). */
  route: string;
  method: Method;
  summary: string;
  role: Level;
  /** Other ways in besides the role (GET /metrics: scrape token, allowed addresses). */
  grant?: string;
  tag: string;
  query?: z.core.$ZodObject;
  body?: z.core.$ZodType;
  /** The body's size limit in bytes (server/api/body.ts), when not JSON_BODY_LIMIT. */
  bodyLimit?: number;
  /** A named schema in components.schemas, or a non-JSON answer. */
  response: { schema: string } | { text: string; example?: string };
  /** Also answers text/csv (format=csv). */
  csv?: boolean;
  /** Status codes besides 200 and the common errors, with what they mean. */
  extra?: Record<number, string>;
}

/** Named answer schemas (components.schemas). */
const SCHEMAS: Record<string, z.core.$ZodType> = {
  Ok: z.object({ ok: z.literal(true) }),
  Health: z.object({ ok: z.literal(true), store: z.literal('reachable') }),
  Me,
  AuditList,
  ClusterList,
  ClusterSnapshot,
  EventList,
  HistoryResponse,
  HostMembership,
  SearchResponse,
  ActionResult,
  DrainPlan,
  DrainProgress,
  IntentList,
  DiagnosticsReport,
  HaproxyView,
  HaproxyHoldList,
  HaproxyActionResult,
  UserList,
  UserListing,
  RemovedUser,
  TokenList,
  CreatedToken,
  RevokedToken,
  WebhookStatusList,
  ConsolesView,
  MaintenanceStatus,
  MaintenancePreflight,
  MaintenanceResult,
  Rollout,
  RolloutList,
  RolloutStartResult,
  RolloutActionResult,
  OpenApiDocument: z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }),
  Error: z.object({
    error: z.object({
      code: z.enum(Object.keys(API_ERROR_STATUS) as [keyof typeof API_ERROR_STATUS, ...(keyof typeof API_ERROR_STATUS)[]]),
      /** One plain sentence. */
      message: z.string(),
      /** e.g. the drain plan of a refused last-server drain (409). */
      details: z.unknown().optional(),
    }),
  }),
};

const CLUSTER = { route: 'api/clusters/[cluster]', tag: 'clusters' };

export const OPERATIONS: readonly Operation[] = [
  { route: 'api/health', method: 'get', tag: 'system', role: 'public', summary: 'Liveness: {"ok":true,"store":"reachable"} and nothing else', response: { schema: 'Health' }, extra: { 503: 'this console cannot reach its store (PostgreSQL down or unreachable)' } },
  { route: 'api/openapi.json', method: 'get', tag: 'system', role: 'viewer', summary: 'This document', response: { schema: 'OpenApiDocument' } },
  {
    route: 'metrics', method: 'get', tag: 'system', role: 'viewer', grant: 'the metrics token (Bearer) or an address in metrics.allow',
    summary: 'Prometheus metrics (text format 0.0.4)', response: { text: 'text/plain; version=0.0.4', example: 'lvs_director_up{cluster="prod",director="lb1"} 1' },
  },
  { route: 'api/auth/login', method: 'post', tag: 'auth', role: 'public', summary: 'Log in: sets the session cookie (HttpOnly) and the CSRF cookie; rate-limited', body: LoginBody, bodyLimit: LOGIN_BODY_LIMIT, response: { schema: 'Me' }, extra: { 429: 'too many failed logins (Retry-After)', 503: 'too many logins at once: the password was not checked (Retry-After: 1)' } },
  { route: 'api/auth/logout', method: 'post', tag: 'auth', role: 'viewer', summary: 'End this session and clear its cookies', response: { schema: 'Ok' } },
  { route: 'api/me', method: 'get', tag: 'auth', role: 'viewer', summary: 'Who is calling: name, role, clusters, how', response: { schema: 'Me' } },
  { route: 'api/audit', method: 'get', tag: 'audit', role: 'viewer', summary: 'The audit log, newest first', query: AuditQuery, response: { schema: 'AuditList' } },
  { route: 'api/clusters', method: 'get', tag: 'clusters', role: 'viewer', summary: 'One summary per cluster: masters, counts, findings', response: { schema: 'ClusterList' } },
  { ...CLUSTER, method: 'get', role: 'viewer', summary: 'The full merged snapshot of one cluster (ETag); services=N: only the first N services (servicesTotal says how many), for a fast first screen; form=rows: each service\'s real servers as rows in a fixed column order (lib/models/compact-snapshot.ts, the browser\'s form: a third of the bytes)', query: ClusterSnapshotQuery, response: { schema: 'ClusterSnapshot' }, extra: { 304: 'not modified (If-None-Match matched the ETag)' } },
  { ...CLUSTER, route: 'api/clusters/[cluster]/events', method: 'get', tag: 'events', role: 'viewer', summary: 'Failover history of one cluster', query: EventsQuery, response: { schema: 'EventList' }, csv: true },
  { ...CLUSTER, route: 'api/clusters/[cluster]/history', method: 'get', role: 'viewer', summary: 'History for charts: the whole cluster, a service (by real server), a real server, or a host across its services', query: HistoryQuery, response: { schema: 'HistoryResponse' } },
  { route: 'api/events', method: 'get', tag: 'events', role: 'viewer', summary: 'Failover history of every cluster', query: EventsQuery, response: { schema: 'EventList' }, csv: true },
  { route: 'api/search', method: 'get', tag: 'clusters', role: 'viewer', summary: 'Find clusters, directors, services, real servers and hosts by address, port or name (the last merge only: no director is asked)', query: SearchQuery, response: { schema: 'SearchResponse' } },
  { route: 'api/hosts/[address]', method: 'get', tag: 'clusters', role: 'viewer', summary: 'Every service, in every cluster, this real server belongs to', response: { schema: 'HostMembership' } },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/drain', method: 'post', tag: 'drain', role: 'operator', summary: 'Drain: weight 0 on every director, held until restored',
    body: DrainRequest, response: { schema: 'ActionResult' }, extra: { 409: 'refused: the last serving real server (details: the plan; force: true overrides)' },
  },
  { ...CLUSTER, route: 'api/clusters/[cluster]/weight', method: 'post', tag: 'drain', role: 'operator', summary: 'Set a weight on every director, held until restored', body: WeightRequest, response: { schema: 'ActionResult' }, extra: { 409: 'refused (see the message)' } },
  { ...CLUSTER, route: 'api/clusters/[cluster]/restore', method: 'post', tag: 'drain', role: 'operator', summary: 'Put back the weight held before and end the hold', body: RestoreRequest, response: { schema: 'ActionResult' } },
  { ...CLUSTER, route: 'api/clusters/[cluster]/drain/plan', method: 'get', tag: 'drain', role: 'viewer', summary: 'Impact and exact commands of a drain, restore or weight (changes nothing)', query: PlanQuery, response: { schema: 'DrainPlan' } },
  { ...CLUSTER, route: 'api/clusters/[cluster]/drain/progress', method: 'get', tag: 'drain', role: 'viewer', summary: 'Drain progress on the VIP holder; wait=1 long-polls until drained', query: ProgressQuery, response: { schema: 'DrainProgress' } },
  { ...CLUSTER, route: 'api/clusters/[cluster]/intents', method: 'get', tag: 'drain', role: 'viewer', summary: 'Open drain/weight holds (history=1: ended ones too)', query: IntentsQuery, response: { schema: 'IntentList' } },
  { ...CLUSTER, route: 'api/clusters/[cluster]/maintenance', method: 'get', tag: 'maintenance', role: 'viewer', summary: "Per director: the maintenance track file keepalived tracks (from its last dump), its value, and the console's open maintenance (who, why, since); no director is asked", response: { schema: 'MaintenanceStatus' } },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/directors/[director]/maintenance', method: 'get', tag: 'maintenance', role: 'operator',
    summary: "The pre-flight of putting the director in maintenance (action=enter) or giving it back (action=exit), changing nothing: peers, tables, checkers, what moves, preempt, connections that would break (reads the sync daemons and both directors' connection tables)",
    query: PreflightQuery, response: { schema: 'MaintenancePreflight' },
  },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/directors/[director]/maintenance', method: 'post', tag: 'maintenance', role: 'operator',
    summary: "Move the VIPs off the director: pre-flight, then 1 into its VRRP track file (keepalived lowers it below its peers), verified with ip addr; written back when the VIPs do not move in time (outcome rolled-back). Audited with the reason",
    body: MaintenanceRequest, response: { schema: 'MaintenanceResult' },
    extra: { 404: 'no such cluster or director', 409: 'refused by the pre-flight (details: the refusals and the pre-flight; force: true overrides table drift only); audited; nothing was changed' },
  },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/directors/[director]/maintenance', method: 'delete', tag: 'maintenance', role: 'operator',
    summary: 'Give the director back: pre-flight, then 0 into its track file, verified (the VIPs return when it preempts and outranks their holder)',
    body: GiveBackRequest, response: { schema: 'MaintenanceResult' },
    extra: { 404: 'no such cluster or director', 409: 'refused by the pre-flight; audited; nothing was changed' },
  },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/diagnostics', method: 'get', tag: 'clusters', role: 'viewer',
    summary: 'Check this cluster: keepalived -t, sysctls (ip_forward for NAT, conntrack, expire_quiescent_template, expire_nodest_conn), runtime vs configured weights, directors\' tables compared; each finding with its fix',
    response: { schema: 'DiagnosticsReport' },
  },
  { ...CLUSTER, route: 'api/clusters/[cluster]/haproxy', method: 'get', tag: 'haproxy', role: 'viewer', summary: "Every configured HAProxy instance's frontends, backends and servers (show stat over the director's SSH)", response: { schema: 'HaproxyView' } },
  { ...CLUSTER, route: 'api/clusters/[cluster]/haproxy/holds', method: 'get', tag: 'haproxy', role: 'viewer', summary: "The open HAProxy holds (drain, maint, weight) from the console's store; no instance is read", response: { schema: 'HaproxyHoldList' } },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/haproxy', method: 'post', tag: 'haproxy', role: 'operator',
    summary: 'Drain, maint, ready or weight one HAProxy server on every instance of the cluster: checked first (the last UP server of a backend is refused unless force), verified by re-reading, audited with the reason',
    body: HaproxyActionRequest, response: { schema: 'HaproxyActionResult' },
    extra: {
      404: 'no such server on some instance (nothing was changed)',
      409: 'refused: the server is the last UP server of its backend on some instance (drain, maint or weight 0 without force); names the backend and server; audited; nothing was changed',
      502: 'an instance did not answer (nothing was changed)',
    },
  },
  { ...CLUSTER, route: 'api/clusters/[cluster]/rollouts', method: 'get', tag: 'rollouts', role: 'viewer', summary: 'Running and paused rollouts (all=1: the last 50 too), from the store; no director is asked', query: RolloutsQuery, response: { schema: 'RolloutList' } },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/rollouts', method: 'post', tag: 'rollouts', role: 'operator',
    summary: "Start a rolling maintenance: per batch of hosts, drain on every director, wait until drained (or the deadline), wait for the maintenance ('done' or a timer), give the weight back in verified steps, check it serves, next batch. dryRun: only check",
    body: RolloutRequest, response: { schema: 'RolloutStartResult' },
    extra: { 404: 'a host is not a real server of the cluster', 409: "refused: the first batch would leave a service below its capacity floor (details.refusals, with the numbers), or a host is in another active rollout; audited; nothing was changed" },
  },
  { ...CLUSTER, route: 'api/clusters/[cluster]/rollouts/[id]', method: 'get', tag: 'rollouts', role: 'viewer', summary: 'One rollout: each host and its step, the status, why it stopped, its log', response: { schema: 'Rollout' }, extra: { 404: 'no such rollout in this cluster' } },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/rollouts/[id]', method: 'post', tag: 'rollouts', role: 'operator',
    summary: 'Act on a rollout: pause, resume (a stopped one tries the step again), skip HOST, abort (hosts stay as they are), done [HOST] (maintenance finished), proceed HOST (past the drain deadline), restore-all (an aborted or finished one); audited',
    body: RolloutActionRequest, response: { schema: 'RolloutActionResult' }, extra: { 404: 'no such rollout or host', 409: 'the action does not fit the rollout\'s state (the message says why); nothing was changed' },
  },
  {
    ...CLUSTER, route: 'api/clusters/[cluster]/rollouts/[id]/callback', method: 'post', tag: 'rollouts', role: 'public', grant: "the rollout's callback secret in X-Rollout-Secret (from its start with callback: true)",
    summary: "A patching pipeline says a host's maintenance is done (host omitted: every host waiting for it), without an account; audited as the rollout's callback",
    body: RolloutCallbackRequest, response: { schema: 'RolloutActionResult' }, extra: { 403: 'wrong or missing secret (audited; nothing was changed)', 409: 'no host of the rollout is waiting for its maintenance' },
  },
  { route: 'api/admin/users', method: 'get', tag: 'admin', role: 'admin', summary: 'Every account (configuration and database), never a password hash', response: { schema: 'UserList' } },
  { route: 'api/admin/users', method: 'post', tag: 'admin', role: 'admin', summary: 'Add a database account', body: NewUser, response: { schema: 'UserListing' }, extra: { 409: 'the name is taken' } },
  { route: 'api/admin/users/[name]', method: 'delete', tag: 'admin', role: 'admin', summary: 'Remove a database account and end its sessions', response: { schema: 'RemovedUser' } },
  { route: 'api/admin/tokens', method: 'get', tag: 'admin', role: 'admin', summary: 'Every API token (name, role, last use, expiry) within the admin\'s clusters, never the secret', response: { schema: 'TokenList' } },
  { route: 'api/admin/tokens', method: 'post', tag: 'admin', role: 'admin', summary: 'Create an API token, expiring after expiresInDays or at expiresAt (default and maximum: auth.tokenMaxDays); the secret is in this answer only', body: NewToken, response: { schema: 'CreatedToken' }, extra: { 409: 'the name is taken' } },
  { route: 'api/admin/tokens/[name]', method: 'delete', tag: 'admin', role: 'admin', summary: 'Revoke an API token (it stops working at once)', response: { schema: 'RevokedToken' } },
  { route: 'api/consoles', method: 'get', tag: 'system', role: 'viewer', summary: 'The consoles sharing the store, which clusters each leads (lease age), and whether this console reaches its store', response: { schema: 'ConsolesView' } },
  { route: 'api/admin/webhooks', method: 'get', tag: 'admin', role: 'admin', summary: "Each webhook's last delivery (never its URL)", response: { schema: 'WebhookStatusList' } },
];

const PATH_PARAMS: Record<string, { description: string; schema: Record<string, unknown> }> = {
  cluster: { description: 'cluster name, as configured', schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 63 } },
  address: { description: 'a real server address (IPv4 or IPv6)', schema: { type: 'string' } },
  name: { description: 'account or token name', schema: { type: 'string', maxLength: 63 } },
  id: { description: 'rollout number', schema: { type: 'string', pattern: '^[0-9]+$' } },
};

type Json = Record<string, unknown>;

function jsonSchema(schema: z.core.$ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  if ('$defs' in rest) throw new Error('openapi: a schema produced $defs; inline it or name it in SCHEMAS');
  return rest;
}

/** The URL path of a route ("api/clusters/[cluster]" -> "/api/clusters/{cluster}"). */
export function pathOf(route: string): string {
  return `/${route.replace(/\[(\w+)\]/g, '{$1}')}`;
}

function security(op: Operation): Json[] {
  if (op.role === 'public') return [];
  const read = op.method === 'get';
  const out: Json[] = [read ? { session: [] } : { session: [], csrf: [] }, { bearer: [] }, { proxyUser: [] }];
  if (op.grant) out.push({ metricsToken: [] }, {});
  return out;
}

function queryParameters(q: z.core.$ZodObject): Json[] {
  const schema = jsonSchema(q, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
    ...(s.type === 'array' ? { style: 'form', explode: true } : {}),
  }));
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_REF } } });

function operationObject(op: Operation): Json {
  const params = [...op.route.matchAll(/\[(\w+)\]/g)].map((m) => m[1] ?? '');
  const parameters = [
    ...params.map((p) => ({ name: p, in: 'path', required: true, ...(PATH_PARAMS[p] ?? { schema: { type: 'string' } }) })),
    ...(op.query ? queryParameters(op.query) : []),
  ];
  const ok: Json =
    'schema' in op.response
      ? {
          description: 'OK',
          content: {
            'application/json': { schema: { $ref: `#/components/schemas/${op.response.schema}` } },
            ...(op.csv ? { 'text/csv': { schema: { type: 'string' } } } : {}),
          },
        }
      : { description: 'OK', content: { [op.response.text]: { schema: { type: 'string' }, ...(op.response.example ? { example: op.response.example } : {}) } } };
  const responses: Json = { 200: ok };
  for (const [code, what] of Object.entries(op.extra ?? {})) responses[code] = Number(code) === 304 ? { description: what } : errorResponse(what);
  if (op.role !== 'public') {
    responses[401] = errorResponse('not logged in: no valid session, API token or trusted proxy user');
    responses[403] = errorResponse(`needs the ${op.role} role (or a role covering this cluster)${op.method === 'get' ? '' : '; or CSRF check failed'}`);
  }
  if (op.body || op.query) responses[422] = errorResponse('invalid request: the message names the field');
  if (op.body) {
    responses[400] = errorResponse('not a JSON body');
    const limit = op.bodyLimit ?? JSON_BODY_LIMIT;
    responses[413] = errorResponse(`request body over ${limit} bytes (${limit / 1024} KiB): refused before it is read whole`);
  }
  if (op.route.includes('[cluster]')) responses[404] = errorResponse('no such cluster');
  responses.default = errorResponse('any other error (same body)');
  return {
    operationId: `${op.method}${op.route.replace(/^api\//, '/').replace(/\.json$/, 'Json').split(/[/[\]-]+/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1)).join('')}`,
    summary: op.summary,
    tags: [op.tag],
    'x-required-role': op.role,
    ...(op.grant ? { 'x-also-allowed': op.grant } : {}),
    security: security(op),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body, 'input') } } } } : {}),
    responses,
  };
}

let cached: Json | undefined;

export function openApiDocument(): Json {
  if (cached) return cached;
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) (paths[pathOf(op.route)] ??= {})[op.method] = operationObject(op);
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'LVS console API',
      version: '1',
      description:
        'Read the state of LVS (IPVS + keepalived) clusters, and drain, restore and re-weight real servers. Errors are {"error":{"code","message"}}. ' +
        'Browsers log in (session cookie) and send the lvs_csrf cookie value (__Host-lvs_csrf over HTTPS) as x-csrf-token on state-changing requests; scripts send an API token as "Authorization: Bearer lvs_...".',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, s]) => [name, jsonSchema(s, 'output')])),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'lvs_session', description: 'Set by POST /api/auth/login (HttpOnly, SameSite=Strict); over HTTPS named __Host-lvs_session (Secure, Path=/, no Domain).' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token', description: 'The lvs_csrf (over HTTPS: __Host-lvs_csrf) cookie value; required with the session cookie on state-changing requests (plus a same-origin Origin or Sec-Fetch-Site).' },
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from `lvsctl token create` or POST /api/admin/tokens (lvs_...). No CSRF token needed.' },
        proxyUser: { type: 'apiKey', in: 'header', name: 'x-forwarded-user', description: 'The user asserted by a trusted reverse proxy (auth.proxyAuth; only from auth.trustedProxies), with its role from auth.proxyAuth.roleHeader or its groups (groupsHeader + groups).' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'GET /metrics only: the token named by metrics.token.' },
      },
    },
  };
  return cached;
}

type SchemaJson = { type?: unknown; enum?: unknown[]; description?: string; anyOf?: SchemaJson[]; items?: SchemaJson; properties?: Record<string, SchemaJson>; required?: string[] };

function typeName(s: SchemaJson | undefined): string {
  if (!s) return 'any';
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeName).join(' | ');
  if (s.type === 'array') return `${typeName(s.items)}[]`;
  return typeof s.type === 'string' ? s.type : 'any';
}

/** The document's operations, flattened for the API page. */
export function apiEndpoints(): ApiEndpoint[] {
  const doc = openApiDocument() as { paths: Record<string, Record<string, Json>> };
  const out: ApiEndpoint[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(ops)) {
      const op = raw as {
        summary: string; tags: string[]; 'x-required-role': string; 'x-also-allowed'?: string;
        parameters?: { name: string; in: 'path' | 'query'; required: boolean; description?: string; schema: SchemaJson }[];
        requestBody?: { content: Record<string, { schema: SchemaJson }> };
        responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
      };
      const body = op.requestBody?.content['application/json']?.schema;
      const ok = op.responses['200']?.content ?? {};
      const json = ok['application/json']?.schema.$ref;
      out.push({
        method: method.toUpperCase(),
        path: p,
        summary: op.summary,
        tag: op.tags[0] ?? '',
        role: op['x-required-role'],
        alsoAllowed: op['x-also-allowed'] ?? null,
        params: [
          ...(op.parameters ?? []).map((x) => ({ name: x.name, in: x.in, required: x.required, type: typeName(x.schema), description: x.description ?? x.schema.description ?? null })),
          ...Object.entries(body?.properties ?? {}).map(([name, s]) => ({ name, in: 'body' as const, required: body?.required?.includes(name) ?? false, type: typeName(s), description: s.description ?? null })),
        ],
        returns: json ? json.replace('#/components/schemas/', '') : Object.keys(ok).join(', '),
        statuses: Object.entries(op.responses)
          .filter(([code]) => code !== '200')
          .map(([code, r]) => ({ code, description: r.description })),
      });
    }
  }
  return out;
}
