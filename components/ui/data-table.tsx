/**
 * The parts every operator table shares: the scrolling card around it, the caption for
 * screen readers, the header row, the cell paddings and the look of a row that opens a detail.
 */
import type { ComponentPropsWithoutRef, ReactNode } from "react";

export const thClass =
  "px-3 py-2 text-left text-xs font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400";
export const tdClass = "px-3 py-2 align-top";

/** A row that shows its item in the detail panel when clicked; `selected`: the one shown. */
export function SelectableRow({
  selected,
  onSelect,
  ...row
}: { selected: boolean; onSelect(): void } & Omit<
  ComponentPropsWithoutRef<"tr">,
  "onClick" | "className"
>) {
  return (
    <tr
      {...row}
      aria-current={selected ? "true" : undefined}
      onClick={onSelect}
      className={`cursor-pointer border-t border-zinc-200 dark:border-zinc-800 ${
        selected ? "bg-sky-50 dark:bg-sky-950/40" : "hover:bg-zinc-50 dark:hover:bg-zinc-800/50"
      }`}
    />
  );
}

/** `children` are the <thead> and <tbody>; `footer` goes below the table, inside the card. */
export function TableFrame({
  caption,
  children,
  footer,
}: {
  caption: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <table className="w-full text-sm">
        <caption className="sr-only">{caption}</caption>
        {children}
      </table>
      {footer}
    </div>
  );
}

/** A column heading: its text, or `{label, numeric}` for a right-aligned (number) column. */
export type Column = string | { label: ReactNode; numeric?: boolean };

export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead className="bg-zinc-50 dark:bg-zinc-900">
      <tr>
        {columns.map((c, i) => {
          const { label, numeric = false } = typeof c === "string" ? { label: c } : c;
          return (
            <th key={i} scope="col" className={numeric ? `${thClass} text-right` : thClass}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}
