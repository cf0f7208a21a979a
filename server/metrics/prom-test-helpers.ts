// Test support: /metrics text through a real Prometheus text-format parser, into lookups.
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';

export interface ParsedMetrics {
  families: Map<string, PromFamily>;
  /** The value of the one sample of `name` whose labels include `labels`; undefined when none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name` whose labels include `labels`. */
  samples(name: string, labels?: Record<string, string>): { labels: Record<string, string>; value: number }[];
}

export function parseMetrics(text: string): ParsedMetrics {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const samples = (name: string, labels: Record<string, string> = {}) =>
    (families.get(name)?.metrics ?? [])
      .map((m) => ({ labels: m.labels ?? {}, value: Number(m.value) }))
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels[k] === v));
  return {
    families,
    samples,
    value(name, labels = {}) {
      const found = samples(name, labels);
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
  };
}
