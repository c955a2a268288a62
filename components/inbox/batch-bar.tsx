"use client";

/**
 * Approve or reject several selected requests at once (console.md, "Batch"). Only requests
 * of one kind — the same title — go together: a batch is for "the same question asked
 * many times", not for waving through unrelated decisions. A batch rejection carries one
 * reason for all.
 */
import { useId, useState } from "react";
import { sendAnswer } from "./answer-actions";
import type { Row } from "./inbox-rows";
import { showToast } from "./toasts";

function kindOf(r: Row): string {
  return r.item.approval?.title ?? "";
}

export function BatchBar({
  rows,
  selected,
  onSelect,
  onClear,
}: {
  rows: readonly Row[];
  selected: readonly Row[];
  onSelect(keys: string[]): void;
  onClear(): void;
}) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const reasonId = useId();
  if (selected.length === 0) return null;

  const kinds = new Set(selected.map(kindOf));
  const oneKind = kinds.size === 1;
  const kind = selected[0] === undefined ? "" : kindOf(selected[0]);
  const canApprove = oneKind && selected.every((r) => r.item.actions.includes("approve"));
  const canReject = oneKind && selected.every((r) => r.item.actions.includes("reject"));
  const sameKind = rows.filter(
    (r) => r.state === "pending" && r.item.kind === "approval" && kindOf(r) === kind,
  );

  const run = async (decision: "approve" | "reject") => {
    setBusy(true);
    let failed = 0;
    // One after another: each answer is a claim on the server; a failure stops nothing.
    for (const r of selected) {
      const err = await sendAnswer(
        r.item,
        decision === "approve" ? { decision } : { decision, reason: reason.trim() },
      );
      if (err !== null) failed++;
    }
    setBusy(false);
    setRejecting(false);
    setReason("");
    onClear();
    const done = selected.length - failed;
    const verb = decision === "approve" ? "Approved" : "Rejected";
    showToast(
      failed === 0
        ? `${verb} ${done} request${done === 1 ? "" : "s"}`
        : `${verb} ${done}; ${failed} could not be answered (see the cards)`,
      failed === 0 ? "info" : "error",
    );
  };

  return (
    <div
      role="region"
      aria-label="Batch answer"
      className="sticky top-14 z-20 mb-3 rounded-lg border border-sky-300 bg-sky-50 px-4 py-2 text-sm shadow-sm dark:border-sky-800 dark:bg-sky-950"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">
          {selected.length} selected{oneKind ? `: “${kind}”` : ""}
        </span>
        {oneKind && sameKind.length > selected.length && (
          <button
            type="button"
            className="text-sky-800 underline dark:text-sky-300"
            onClick={() => onSelect(sameKind.map((r) => r.item.key))}
          >
            Select all {sameKind.length} like this
          </button>
        )}
        {!oneKind && (
          <span className="text-amber-900 dark:text-amber-200">
            Select requests of one kind (same title) to answer them together.
          </span>
        )}
        <span className="ml-auto flex flex-wrap gap-2">
          <button
            type="button"
            data-testid="batch-approve"
            disabled={!canApprove || busy}
            onClick={() => void run("approve")}
            className="rounded-md bg-emerald-700 px-3 py-1.5 font-medium text-white hover:bg-emerald-800 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Approve {selected.length}
          </button>
          <button
            type="button"
            data-testid="batch-reject"
            disabled={!canReject || busy}
            onClick={() => setRejecting(true)}
            className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Reject {selected.length}…
          </button>
          <button
            type="button"
            onClick={onClear}
            className="rounded-md border border-zinc-300 px-3 py-1.5 font-medium hover:bg-white dark:border-zinc-600 dark:hover:bg-zinc-900"
          >
            Clear
          </button>
        </span>
      </div>
      {rejecting && (
        <form
          className="mt-2 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.trim()) void run("reject");
          }}
        >
          <label htmlFor={reasonId} className="w-full font-medium">
            One reason for all {selected.length} (sent to each agent)
          </label>
          <input
            id={reasonId}
            data-testid="batch-reject-reason"
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                e.preventDefault();
                e.stopPropagation();
                setRejecting(false);
              }
            }}
            className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-600 dark:bg-zinc-900"
          />
          <button
            type="submit"
            data-testid="batch-reject-submit"
            disabled={!reason.trim() || busy}
            className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Reject {selected.length}
          </button>
        </form>
      )}
    </div>
  );
}
