/**
 * A JSON value as a readable tree (console.md: "arguments as a readable JSON tree"):
 * keys and values in columns, nested objects and arrays foldable, strings quoted so
 * "42" and 42 differ. Plain markup (dl/details), so screen readers and find-in-page work.
 */
import { memo } from "react";

const OPEN_DEPTH = 2;
const MAX_CHILDREN = 200;

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="text-zinc-600 italic dark:text-zinc-400">null</span>;
  switch (typeof value) {
    case "string":
      return (
        <span className="break-words whitespace-pre-wrap text-emerald-800 dark:text-emerald-300">
          &quot;{value}&quot;
        </span>
      );
    case "number":
    case "bigint":
      return <span className="text-sky-800 dark:text-sky-300">{String(value)}</span>;
    case "boolean":
      return <span className="text-violet-800 dark:text-violet-300">{String(value)}</span>;
    default:
      return <span className="text-zinc-600 dark:text-zinc-400">{String(value)}</span>;
  }
}

function summary(value: object): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? "" : "s"}]`;
  const n = Object.keys(value).length;
  return `{${n} key${n === 1 ? "" : "s"}}`;
}

function Node({ value, depth }: { value: unknown; depth: number }) {
  if (typeof value !== "object" || value === null) return <Scalar value={value} />;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  if (entries.length === 0) {
    return (
      <span className="text-zinc-600 dark:text-zinc-400">{Array.isArray(value) ? "[]" : "{}"}</span>
    );
  }
  const shown = entries.slice(0, MAX_CHILDREN);
  const body = (
    <dl className="grid grid-cols-[minmax(4rem,max-content)_1fr] gap-x-3 gap-y-0.5">
      {shown.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-zinc-600 dark:text-zinc-400">{k}</dt>
          <dd className="min-w-0">
            <Node value={v} depth={depth + 1} />
          </dd>
        </div>
      ))}
      {entries.length > shown.length && (
        <div className="col-span-2 text-zinc-600 dark:text-zinc-400">
          … {entries.length - shown.length} more
        </div>
      )}
    </dl>
  );
  if (depth === 0) return body;
  return (
    <details open={depth < OPEN_DEPTH} className="group">
      <summary className="cursor-pointer text-zinc-600 select-none dark:text-zinc-400">
        {summary(value)}
      </summary>
      <div className="mt-0.5 border-l border-zinc-200 pl-3 dark:border-zinc-700">{body}</div>
    </details>
  );
}

export const JsonTree = memo(function JsonTree({ value }: { value: unknown }) {
  return (
    <div className="font-mono text-xs leading-5">
      <Node value={value} depth={0} />
    </div>
  );
});
