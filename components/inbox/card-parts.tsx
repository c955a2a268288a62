"use client";

/** Small pieces the approval card and the message rows share. */
import { lazy, memo, Suspense } from "react";
import type { AnswerView } from "@/app/api/inbox/answers/types";
import type { Priority } from "@/lib/mq9/mod";
import { useNow } from "@/components/ui/clock";
import { formatSpan, formatWhen } from "@/components/ui/time";
import { useCopy } from "@/components/ui/use-copy";
import { JsonTree } from "./json-tree";

const PRIORITY_STYLE: Record<Priority, string> = {
  urgent: "bg-red-700 text-white",
  normal: "bg-zinc-200 text-zinc-800 dark:bg-zinc-700 dark:text-zinc-100",
  notify: "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100",
};

export function PriorityPill({ priority }: { priority: Priority }) {
  return (
    <span
      className={`inline-flex items-center rounded px-1.5 py-0.5 text-[11px] font-semibold tracking-wide uppercase ${PRIORITY_STYLE[priority]}`}
    >
      {priority}
    </span>
  );
}

/** The correlation id as a chip that copies itself (never used as the title, console.md). */
export function CorrelationChip({ id }: { id: string }) {
  const [copied, copy] = useCopy();
  return (
    <button
      type="button"
      data-testid="correlation-chip"
      data-correlation-id={id}
      onClick={() => copy(id)}
      aria-label={`Copy correlation id ${id}`}
      title="Copy correlation id"
      className="inline-flex max-w-[16rem] items-center gap-1 rounded-full border border-zinc-300 bg-zinc-50 px-2 py-0.5 font-mono text-[11px] text-zinc-700 hover:bg-zinc-100 dark:border-zinc-600 dark:bg-zinc-800 dark:text-zinc-200 dark:hover:bg-zinc-700"
    >
      <span className="truncate">{id}</span>
      <span aria-live="polite" className="shrink-0 font-sans text-zinc-500 dark:text-zinc-400">
        {copied === "copied" ? (
          "copied"
        ) : copied === "failed" ? (
          "select to copy"
        ) : (
          <svg aria-hidden viewBox="0 0 16 16" className="size-3" fill="none" stroke="currentColor">
            <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
            <path d="M10.5 5.5v-2a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h2" />
          </svg>
        )}
      </span>
    </button>
  );
}

/** "expires in 4m 12s", live; red in the last minute. */
export function Countdown({ at, label = "expires" }: { at: number; label?: string }) {
  const now = useNow();
  if (now === 0) return null;
  const left = at - now;
  if (left <= 0) {
    return (
      <span className="text-xs text-zinc-600 dark:text-zinc-400">
        {label === "expires" ? "expired" : `${label} passed`} {formatSpan(-left)} ago
      </span>
    );
  }
  return (
    <span
      className={`text-xs tabular-nums ${left < 60_000 ? "font-semibold text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}
      title={new Date(at).toISOString()}
    >
      {label} in {formatSpan(left)}
    </span>
  );
}

/** The ring round the card the keyboard acts on. */
export const FOCUSED_RING =
  "ring-2 ring-sky-600 ring-offset-2 ring-offset-zinc-50 dark:ring-sky-400 dark:ring-offset-zinc-950";

/** "from <sender>" in a card's byline. */
export function Sender({ from }: { from: string | null }) {
  return (
    <span>
      from{" "}
      <span className="font-mono text-zinc-800 dark:text-zinc-200">{from ?? "unknown sender"}</span>
    </span>
  );
}

export function When({ at }: { at: number }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={new Date(at).toISOString()}>
      {formatWhen(at)}
    </time>
  );
}

// The markdown renderer (react-markdown and its parsers) is the inbox's largest dependency:
// it loads after the first screen, which shows the plain text meanwhile.
const LazyMarkdown = lazy(() => import("./markdown"));

export const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  return (
    <div className="text-sm leading-6 break-words text-zinc-800 dark:text-zinc-200">
      <Suspense
        fallback={
          <p data-markdown-pending className="my-1.5 whitespace-pre-wrap">
            {text}
          </p>
        }
      >
        <LazyMarkdown text={text} />
      </Suspense>
    </div>
  );
});

const VERB: Record<AnswerView["decision"], string> = {
  approve: "Approved",
  reject: "Rejected",
  edit: "Approved with changes",
  answer: "Answered",
};

const VERB_STYLE: Record<AnswerView["decision"], string> = {
  approve: "text-emerald-800 dark:text-emerald-300",
  edit: "text-emerald-800 dark:text-emerald-300",
  reject: "text-red-800 dark:text-red-300",
  answer: "text-sky-800 dark:text-sky-300",
};

/** Who answered, what and when (console.md: "the card then shows who answered"). */
export function AnsweredSummary({ answer }: { answer: AnswerView }) {
  return (
    <div
      data-testid="answered-summary"
      data-decision={answer.decision}
      data-responder={answer.responder}
      className="rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-800/60"
    >
      <p>
        <span className={`font-semibold ${VERB_STYLE[answer.decision]}`}>
          {VERB[answer.decision]}
        </span>{" "}
        by <span className="font-medium">{answer.responder}</span> ·{" "}
        <When at={answer.respondedAt} />
      </p>
      {answer.reason !== null && (
        <p className="mt-1">
          <span className="text-zinc-600 dark:text-zinc-400">Reason: </span>
          {answer.reason}
        </p>
      )}
      {answer.text !== null && (
        <p className="mt-1 whitespace-pre-wrap">
          <span className="text-zinc-600 dark:text-zinc-400">Answer: </span>
          {answer.text}
        </p>
      )}
      {answer.args !== null && answer.decision === "edit" && (
        <div className="mt-1">
          <span className="text-zinc-600 dark:text-zinc-400">With arguments:</span>
          <JsonTree value={answer.args} />
        </div>
      )}
    </div>
  );
}
