import type { ReactNode } from "react";

/** What an empty view says: what is missing and what the operator can do about it. */
export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div
      className="rounded-xl border border-dashed border-zinc-300 px-6 py-10 text-center dark:border-zinc-700"
      data-testid={testId}
    >
      <p className="font-medium">{title}</p>
      {children ? (
        <div className="mx-auto mt-2 max-w-xl text-sm text-zinc-600 dark:text-zinc-400">
          {children}
        </div>
      ) : null}
    </div>
  );
}
