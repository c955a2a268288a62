import type { ComponentPropsWithoutRef, ReactNode } from "react";

/** Label–value pairs in two columns (a <dl>); `className` gives the spacing and frame. */
export function DetailList({ className, children }: { className: string; children: ReactNode }) {
  return <dl className={`grid grid-cols-[auto_1fr] ${className}`}>{children}</dl>;
}

/** One pair of a DetailList: the muted label, then the value (any <dd> props). */
export function Detail({ term, ...value }: { term: string } & ComponentPropsWithoutRef<"dd">) {
  return (
    <>
      <dt className="text-zinc-600 dark:text-zinc-400">{term}</dt>
      <dd {...value} />
    </>
  );
}
