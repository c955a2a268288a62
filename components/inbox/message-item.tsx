"use client";

/** A message that asks nothing of the human: priority, sender, type, time and the body. */
import { memo, type Ref } from "react";
import { FOCUSED_RING, PriorityPill, Sender, When } from "./card-parts";
import type { InboxItem } from "./inbox-item";
import { JsonTree } from "./json-tree";

/** A line to read at a glance: the body's own title-like field, else the start of the body. */
function headline(item: InboxItem): string | null {
  const body = item.json;
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    for (const k of ["title", "summary", "subject", "text", "content", "payload"]) {
      if (typeof b[k] === "string" && b[k] !== "") return b[k];
    }
  }
  if (item.text === null || item.text.trim() === "") return null;
  const t = item.text.trim();
  return t.length > 160 ? `${t.slice(0, 160)}…` : t;
}

export const MessageItem = memo(function MessageItem({
  item,
  focused,
  onFocusCard,
  cardRef,
}: {
  item: InboxItem;
  focused: boolean;
  onFocusCard(key: string): void;
  cardRef?: Ref<HTMLElement>;
}) {
  const title = headline(item);
  return (
    <article
      ref={cardRef}
      tabIndex={-1}
      data-testid="message-item"
      data-key={item.key}
      data-msg-id={item.msgId}
      data-priority={item.priority}
      data-focused={focused ? "true" : "false"}
      aria-label={`${item.type ?? "message"} from ${item.from ?? "unknown sender"}`}
      onFocus={() => onFocusCard(item.key)}
      className={`rounded-lg border border-zinc-200 bg-white px-4 py-3 [contain-intrinsic-size:auto_120px] [content-visibility:auto] focus:outline-none dark:border-zinc-700 dark:bg-zinc-900 ${
        focused ? FOCUSED_RING : ""
      }`}
    >
      <p className="flex flex-wrap items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
        <PriorityPill priority={item.priority} />
        <span className="font-medium text-zinc-800 dark:text-zinc-200">
          {item.type ?? "message"}
        </span>
        <Sender from={item.from} />
        <span aria-hidden>·</span>
        <When at={item.time} />
        <span className="ml-auto font-mono">#{item.msgId}</span>
      </p>
      {title !== null && (
        <p className="mt-1 text-sm font-medium break-words text-zinc-900 dark:text-zinc-100">
          {title}
        </p>
      )}
      <details className="mt-1">
        <summary className="cursor-pointer text-xs text-zinc-600 select-none dark:text-zinc-400">
          Body ({item.size} bytes)
        </summary>
        <div className="mt-1 max-h-72 overflow-auto rounded-md bg-zinc-50 p-2 dark:bg-zinc-950/50">
          {item.json !== undefined ? (
            <JsonTree value={item.json} />
          ) : (
            <pre className="font-mono text-xs break-words whitespace-pre-wrap">
              {item.text ?? "(binary, not shown)"}
            </pre>
          )}
        </div>
      </details>
    </article>
  );
});
