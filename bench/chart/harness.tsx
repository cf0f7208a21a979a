// The page of bench/chart.bench.ts: the console's TrafficChart (as the service panel uses it:
// history -> toChartData -> stacked chart with markers) and bare uPlot on the same history, each
// timed from its input to the first frame painted after the chart is on screen.
import { createRoot } from 'react-dom/client';
import uPlot from 'uplot';
import { TrafficChart } from '@/components/charts/traffic-chart';
import { toChartData, type ChartMarker } from '@/lib/chart';
import type { HistoryResponse } from '@/lib/models/cluster';

declare global {
  interface Window {
    renderConsole: (h: HistoryResponse, markers: ChartMarker[]) => Promise<number>;
    renderBare: (h: HistoryResponse) => Promise<number>;
  }
}

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));

function freshHost(): HTMLDivElement {
  const root = document.getElementById('root')!;
  root.replaceChildren();
  const host = document.createElement('div');
  host.style.width = '1000px';
  root.append(host);
  return host;
}

/** Resolves once `found()` is true, checked on every DOM change under `el`. */
function when(el: HTMLElement, found: () => boolean): Promise<void> {
  if (found()) return Promise.resolve();
  return new Promise((resolve) => {
    const mo = new MutationObserver(() => {
      if (found()) {
        mo.disconnect();
        resolve();
      }
    });
    mo.observe(el, { childList: true, subtree: true });
  });
}

window.renderConsole = async (h, markers) => {
  const host = freshHost();
  const t0 = performance.now();
  const rs = h.series.filter((s) => s.realServer !== null);
  const data = toChartData(rs.map((s) => ({ label: s.realServer ?? '', points: s.points })), 'activeConns');
  const root = createRoot(host);
  root.render(<TrafficChart data={data} unit="conns" stacked markers={markers} from={h.from} to={h.to} label="bench" />);
  await when(host, () => host.querySelector('[data-testid="chart-markers"]') !== null);
  await frame();
  const ms = performance.now() - t0;
  if (host.querySelectorAll('[data-testid="chart-marker"]').length === 0) throw new Error('the console chart drew no markers');
  root.unmount();
  return ms;
};

window.renderBare = async (h) => {
  const host = freshHost();
  const t0 = performance.now();
  const rs = h.series.filter((s) => s.realServer !== null);
  const xs = rs[0]!.points.map((p) => p.t / 1000);
  const sum = new Array<number>(xs.length).fill(0);
  const cols = rs.map((s) => s.points.map((p, i) => (sum[i]! += p.activeConns)));
  const u = new uPlot(
    {
      width: 1000,
      height: 220,
      series: [{}, ...rs.map((s) => ({ label: s.realServer ?? '', stroke: '#0072B2', fill: '#0072B266', points: { show: false } }))],
      bands: rs.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] })),
    },
    [xs, ...cols],
    host,
  );
  await frame();
  const ms = performance.now() - t0;
  u.destroy();
  return ms;
};
