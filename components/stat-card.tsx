import type { ReactNode } from "react";

interface StatCardProps {
  label: string;
  /** The figure as shown. */
  value: string;
  /** The raw number behind it, for tests and tooltips. */
  raw?: number | null;
  testId: string;
  detail?: ReactNode;
  children?: ReactNode;
}

export function StatCard({ label, value, raw, testId, detail, children }: StatCardProps) {
  return (
    <div className="flex flex-col gap-2 rounded-xl border border-zinc-200 bg-white p-5 shadow-xs dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-sm font-medium text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd
        className="text-3xl font-semibold tracking-tight tabular-nums"
        data-testid={testId}
        data-value={raw ?? undefined}
      >
        {value}
      </dd>
      {children ? <dd>{children}</dd> : null}
      {detail ? (
        <dd className="text-sm text-zinc-500 tabular-nums dark:text-zinc-400">{detail}</dd>
      ) : null}
    </div>
  );
}
