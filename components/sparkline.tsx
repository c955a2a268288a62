/** A minimal trend line: the last minute of one series, scaled to its own maximum. */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const width = 60;
  const height = 24;
  if (values.length < 2) {
    return <div className="h-6" aria-hidden="true" />;
  }
  const max = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const points = values.map(
    (v, i) => `${(i * step).toFixed(2)},${(height - (v / max) * height).toFixed(2)}`,
  );
  const line = points.join(" ");
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      className="h-6 w-full overflow-visible text-emerald-500 dark:text-emerald-400"
      role="img"
      aria-label={label}
    >
      <polygon
        points={`0,${height} ${line} ${width},${height}`}
        className="fill-current opacity-10"
      />
      <polyline
        points={line}
        fill="none"
        stroke="currentColor"
        strokeWidth={1.5}
        strokeLinejoin="round"
        vectorEffect="non-scaling-stroke"
      />
    </svg>
  );
}
