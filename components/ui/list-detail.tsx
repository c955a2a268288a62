import type { ReactNode } from "react";

/**
 * A list and, beside it on wide screens (below on narrow ones), the detail of the item
 * picked in it; the detail stays in view while a long list scrolls.
 */
export function ListDetail({ children, detail }: { children: ReactNode; detail: ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      {children}
      <div className="xl:sticky xl:top-16 xl:self-start">{detail}</div>
    </div>
  );
}
