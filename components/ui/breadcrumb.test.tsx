import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Breadcrumb, ClusterBreadcrumb } from './breadcrumb';

// The one breadcrumb: a nav landmark named "Breadcrumb", an ordered list, links up, the page itself
// last with aria-current="page" (and only it).

function items(html: string): string[] {
  return [...html.matchAll(/<li[^>]*>(.*?)<\/li>/g)].map((m) => (m[1] ?? '').replace(/<span aria-hidden="true"[^>]*>\/<\/span>/, ''));
}

describe('Breadcrumb', () => {
  it('a nav with an ordered list; links up, the last item is the current page', () => {
    const html = renderToStaticMarkup(<ClusterBreadcrumb cluster="prod web" page="HAProxy" />);
    expect(html).toMatch(/^<nav aria-label="Breadcrumb"[^>]*><ol[^>]*><li/);
    expect(items(html)).toEqual([
      '<a class="hover:underline" href="/">Clusters</a>',
      '<a class="hover:underline" href="/clusters/prod%20web">prod web</a>',
      '<span aria-current="page">HAProxy</span>',
    ]);
    expect(html.match(/aria-current/g)).toHaveLength(1);
    // Separators between items only, hidden from screen readers (the list says it already).
    expect(html.match(/<span aria-hidden="true"[^>]*>\/<\/span>/g)).toHaveLength(2);
  });

  it('the cluster page itself: Clusters / NAME, the name current', () => {
    expect(items(renderToStaticMarkup(<ClusterBreadcrumb cluster="lab" />))).toEqual(['<a class="hover:underline" href="/">Clusters</a>', '<span aria-current="page">lab</span>']);
  });

  it('a step without a page of its own is plain text', () => {
    const html = renderToStaticMarkup(<Breadcrumb items={[{ label: 'Clusters', href: '/' }, { label: 'Hosts' }, { label: '192.0.2.11' }]} />);
    expect(items(html)).toEqual(['<a class="hover:underline" href="/">Clusters</a>', '<span>Hosts</span>', '<span aria-current="page">192.0.2.11</span>']);
  });
});
