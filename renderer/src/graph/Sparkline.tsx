// A tiny inline SVG chart of the last minute; decorative (the number beside it is the text).
interface Props {
  values: number[];
  width?: number;
  height?: number;
  /** Fixed number of slots so a young series grows from the right, like a strip chart. */
  slots?: number;
}

export function Sparkline({ values, width = 90, height = 18, slots = 60 }: Props) {
  if (values.length < 2) return <svg className="sparkline" width={width} height={height} aria-hidden="true" />;
  const max = Math.max(...values, 1);
  const step = width / (slots - 1);
  const offset = slots - values.length;
  const pts = values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} aria-hidden="true" data-testid="sparkline">
      <polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
