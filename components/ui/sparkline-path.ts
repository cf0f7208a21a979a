// The geometry of a sparkline, apart from its drawing so it can be tested: an SVG path through the
// values, scaled to the box with `pad` pixels kept free at each edge, and where the last point is.
// A flat series has no range to scale: all zeros lie on the bottom line (zero is "nothing", not
// "middling"), and any other constant sits at mid-height.

export interface SparklineGeometry {
  d: string;
  lastX: number;
  lastY: number;
  min: number;
  max: number;
}

export function sparklineGeometry(values: readonly number[], width: number, height: number, pad = 1.5): SparklineGeometry | null {
  if (values.length < 2) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const bottom = height - pad;
  const step = (width - pad * 2) / (values.length - 1);
  const flat = max === min;
  const flatY = min === 0 ? bottom : height / 2;
  const y = (v: number) => (flat ? flatY : bottom - ((v - min) / (max - min)) * (height - pad * 2));
  let d = '';
  values.forEach((v, i) => {
    d += `${i === 0 ? 'M' : 'L'}${(pad + i * step).toFixed(1)} ${y(v).toFixed(1)}`;
  });
  const last = values[values.length - 1] ?? 0;
  return { d, lastX: pad + (values.length - 1) * step, lastY: y(last), min, max };
}
