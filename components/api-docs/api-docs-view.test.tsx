import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { apiEndpoints } from '@/server/api/openapi';
import { ApiDocsView } from './api-docs-view';

describe('API page', () => {
  it('lists every endpoint of the OpenAPI document with its method, role and parameters', () => {
    const endpoints = apiEndpoints();
    const html = renderToStaticMarkup(<ApiDocsView endpoints={endpoints} />);
    expect(endpoints.length).toBeGreaterThanOrEqual(25);
    for (const e of endpoints) expect(html, `${e.method} ${e.path}`).toContain(e.path);
    const drain = endpoints.find((e) => e.method === 'POST' && e.path === '/api/clusters/{cluster}/drain');
    expect(drain).toMatchObject({ role: 'operator', returns: 'ActionResult', tag: 'drain' });
    expect(drain?.params.map((p) => `${p.in}:${p.name}${p.required ? '' : '?'}`)).toEqual(expect.arrayContaining(['path:cluster', 'body:target', 'body:reason', 'body:dryRun?']));
    const history = endpoints.find((e) => e.path === '/api/clusters/{cluster}/history');
    expect(history?.params.map((p) => `${p.in}:${p.name}${p.required ? '' : '?'}`)).toEqual(['path:cluster', 'query:service?', 'query:realServer?', 'query:by?', 'query:host?', 'query:from?', 'query:to?', 'query:points?']);
    expect(endpoints.find((e) => e.path === '/metrics')?.alsoAllowed).toMatch(/metrics token/);
    expect(html).toContain('/api/openapi.json');
  });
});
