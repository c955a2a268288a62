"use client";

/**
 * One request to the human (mq9.md §12.1): title, markdown description, the arguments as a
 * tree, sender, correlation id chip, countdown, and only the actions the request allows.
 * Reject asks for a reason; edit opens the arguments ("Accept" turns into "Submit" once
 * they changed); answer is free text; quick replies are buttons. A request outside the
 * convention shows as raw JSON with "answer as text".
 */
import {
  memo,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
  type Ref,
} from "react";
import type { AnswerView } from "@/app/api/inbox/answers/types";
import type { ApprovalAction, ApprovalOption } from "@/lib/mq9/mod";
import { sendAnswer, type AnswerDraft } from "./answer-actions";
import {
  AnsweredSummary,
  CorrelationChip,
  Countdown,
  FOCUSED_RING,
  MarkdownText,
  PriorityPill,
  Sender,
  When,
} from "./card-parts";
import type { InboxItem } from "./inbox-item";
import { JsonTree } from "./json-tree";

export type CardState = "pending" | "answered" | "expired";

/** What the keyboard can ask of the focused card (see item-list.tsx). */
export interface CardActions {
  approve(): void;
  reject(): void;
  edit(): void;
  answer(): void;
  /** Closes an open form; false when none was open. */
  cancel(): boolean;
}

type Mode = "none" | "reject" | "edit" | "answer";

interface Props {
  item: InboxItem;
  answer: AnswerView | undefined;
  state: CardState;
  focused: boolean;
  selected: boolean;
  onFocusCard(key: string): void;
  onToggleSelect(key: string): void;
  register(key: string, actions: CardActions | null): void;
  cardRef?: Ref<HTMLElement>;
}

const BUTTON =
  "inline-flex items-center gap-1 rounded-md px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50";
const PRIMARY = `${BUTTON} bg-emerald-700 text-white hover:bg-emerald-800`;
const DANGER = `${BUTTON} bg-red-700 text-white hover:bg-red-800`;
const SECONDARY = `${BUTTON} border border-zinc-300 bg-white text-zinc-800 hover:bg-zinc-100 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800`;
const TEXTAREA =
  "w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm text-zinc-900 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100";

/**
 * A key hint, visible on the focused card only (where the keys act). Hidden, not removed:
 * a button that changed width between mousedown and mouseup would lose the click.
 */
function Kbd({ children, shown = true }: { children: string; shown?: boolean }) {
  return (
    <kbd
      className={`ml-1 rounded border border-current/30 px-1 font-mono text-[10px] ${shown ? "" : "invisible"}`}
    >
      {children}
    </kbd>
  );
}

function pretty(v: unknown): string {
  return JSON.stringify(v, null, 2) ?? "";
}

export const ApprovalCard = memo(function ApprovalCard({
  item,
  answer,
  state,
  focused,
  selected,
  onFocusCard,
  onToggleSelect,
  register,
  cardRef,
}: Props) {
  const [mode, setMode] = useState<Mode>("none");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [text, setText] = useState("");
  const originalArgs = item.approval ? pretty(item.approval.args) : "{}";
  const [argsText, setArgsText] = useState(originalArgs);
  const titleId = useId();
  const fieldId = useId();

  const allowed = item.actions;
  const can = (a: ApprovalAction) => state === "pending" && allowed.includes(a) && !busy;
  const raw = item.kind === "request";

  const submit = async (draft: AnswerDraft) => {
    setBusy(true);
    setError(null);
    const err = await sendAnswer(item, draft);
    setBusy(false);
    if (err !== null) setError(err);
    else setMode("none");
  };

  let editedArgs: Record<string, unknown> | null = null;
  let argsError: string | null = null;
  const edited = argsText.trim() !== originalArgs.trim();
  if (mode === "edit") {
    try {
      const v: unknown = JSON.parse(argsText);
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        editedArgs = v as Record<string, unknown>;
      } else argsError = "The arguments must be a JSON object.";
    } catch {
      argsError = "Not valid JSON yet.";
    }
  }

  const approve = () => {
    if (can("approve")) void submit({ decision: "approve" });
  };
  const submitReject = () => {
    if (!can("reject")) return;
    if (!reason.trim()) return setError("Say why you reject it: the agent gets the reason.");
    void submit({ decision: "reject", reason: reason.trim() });
  };
  const submitEdit = () => {
    if (busy || editedArgs === null) return;
    // Unchanged arguments are a plain approval ("Accept"); changed ones an edit ("Submit").
    if (!edited && allowed.includes("approve")) void submit({ decision: "approve" });
    else if (allowed.includes("edit")) void submit({ decision: "edit", args: editedArgs });
  };
  const submitText = () => {
    if (!can("answer")) return;
    if (!text.trim()) return setError("Write an answer first.");
    void submit({ decision: "answer", text: text.trim() });
  };
  const quickReply = (o: ApprovalOption) => {
    if (state !== "pending" || busy) return;
    // An option named after an action is that action; any other is a text answer.
    if (o.name === "approve") void submit({ decision: "approve" });
    else if (o.name === "reject") void submit({ decision: "reject", reason: o.title });
    else void submit({ decision: "answer", text: o.name });
  };

  const open = (m: Mode) => {
    setError(null);
    setMode(m);
  };

  // The keyboard handler reaches the focused card through this registry.
  const latest = useRef<CardActions | null>(null);
  const actions: CardActions = {
    approve,
    reject: () => can("reject") && open("reject"),
    edit: () => can("edit") && open("edit"),
    answer: () => can("answer") && open("answer"),
    cancel: () => {
      if (mode === "none") return false;
      setMode("none");
      setError(null);
      return true;
    },
  };
  useEffect(() => {
    latest.current = actions;
  });
  useEffect(() => {
    register(item.key, {
      approve: () => latest.current?.approve(),
      reject: () => latest.current?.reject(),
      edit: () => latest.current?.edit(),
      answer: () => latest.current?.answer(),
      cancel: () => latest.current?.cancel() ?? false,
    });
    return () => register(item.key, null);
  }, [item.key, register]);

  const formKeys = (submitForm: () => void) => (e: KeyboardEvent) => {
    if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) {
      e.preventDefault();
      submitForm();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setMode("none");
      setError(null);
      (e.currentTarget.closest("article") as HTMLElement | null)?.focus();
    }
  };

  const urgent = item.priority === "urgent" && state === "pending";
  const frame = urgent
    ? "border-red-300 bg-red-50/70 dark:border-red-800 dark:bg-red-950/30 border-l-4 border-l-red-600"
    : state === "pending"
      ? "border-zinc-200 bg-white dark:border-zinc-700 dark:bg-zinc-900"
      : "border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900/60";
  const approval = item.approval;
  const selectable = state === "pending" && item.kind === "approval";

  return (
    <article
      ref={cardRef}
      tabIndex={-1}
      data-testid="approval-card"
      data-key={item.key}
      data-msg-id={item.msgId}
      data-correlation-id={item.correlationId ?? ""}
      data-state={state}
      data-priority={item.priority}
      data-kind={raw ? "raw" : "approval"}
      data-focused={focused ? "true" : "false"}
      aria-labelledby={titleId}
      onFocus={() => onFocusCard(item.key)}
      className={`rounded-lg border p-4 shadow-sm transition-shadow [contain-intrinsic-size:auto_220px] [content-visibility:auto] focus:outline-none ${frame} ${
        focused ? FOCUSED_RING : ""
      }`}
    >
      <header className="flex flex-wrap items-start gap-x-3 gap-y-1">
        {selectable && (
          <input
            type="checkbox"
            data-testid="card-select"
            checked={selected}
            onChange={() => onToggleSelect(item.key)}
            aria-label={`Select “${approval?.title ?? "request"}” for a batch answer`}
            className="mt-1 size-4 accent-sky-700"
          />
        )}
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <PriorityPill priority={item.priority} />
            <h2
              id={titleId}
              data-testid="approval-title"
              className="text-base leading-6 font-semibold break-words text-zinc-950 dark:text-zinc-50"
            >
              {raw
                ? `Request: ${item.type ?? "message"} (outside the approval convention)`
                : approval?.title}
            </h2>
          </div>
          <p className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-zinc-600 dark:text-zinc-400">
            <Sender from={item.from} />
            <span aria-hidden>·</span>
            <When at={item.time} />
            {item.correlationId !== null && <CorrelationChip id={item.correlationId} />}
            {item.expiresAt !== null && state !== "answered" && <Countdown at={item.expiresAt} />}
          </p>
        </div>
      </header>

      {approval !== null && approval.description !== "" && (
        <div className="mt-2">
          <MarkdownText text={approval.description} />
        </div>
      )}

      {approval !== null ? (
        Object.keys(approval.args).length > 0 && (
          <div
            data-testid="approval-args"
            className="mt-3 rounded-md border border-zinc-200 bg-zinc-50 p-2 dark:border-zinc-700 dark:bg-zinc-950/50"
          >
            <p className="mb-1 text-[11px] font-semibold tracking-wide text-zinc-600 uppercase dark:text-zinc-400">
              Arguments
            </p>
            <JsonTree value={approval.args} />
          </div>
        )
      ) : (
        <pre
          data-testid="approval-args"
          aria-label="Raw message"
          className="mt-3 max-h-64 overflow-auto rounded-md border border-zinc-200 bg-zinc-50 p-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-950/50"
        >
          {item.json !== undefined
            ? pretty(item.json)
            : (item.text ?? `(${item.size} bytes, not text)`)}
        </pre>
      )}

      {answer !== undefined && (
        <div className="mt-3">
          <AnsweredSummary answer={answer} />
        </div>
      )}
      {state === "expired" && (
        <p className="mt-3 text-sm text-zinc-600 dark:text-zinc-400">
          Expired before anyone answered; the agent no longer waits for it.
        </p>
      )}

      {state === "pending" && mode === "none" && (
        <div className="mt-3 flex flex-wrap items-center gap-2">
          {allowed.includes("approve") && (
            <button
              type="button"
              data-testid="approve-button"
              className={PRIMARY}
              disabled={busy}
              onClick={approve}
            >
              Approve<Kbd shown={focused}>A</Kbd>
            </button>
          )}
          {allowed.includes("reject") && (
            <button
              type="button"
              data-testid="reject-button"
              className={DANGER}
              disabled={busy}
              onClick={() => open("reject")}
            >
              Reject…<Kbd shown={focused}>R</Kbd>
            </button>
          )}
          {allowed.includes("edit") && approval !== null && (
            <button
              type="button"
              data-testid="edit-button"
              className={SECONDARY}
              disabled={busy}
              onClick={() => open("edit")}
            >
              Edit…<Kbd shown={focused}>E</Kbd>
            </button>
          )}
          {allowed.includes("answer") && (
            <button
              type="button"
              data-testid="answer-button"
              className={SECONDARY}
              disabled={busy}
              onClick={() => open("answer")}
            >
              {raw ? "Answer as text…" : "Answer…"}
            </button>
          )}
          {approval !== null && approval.options.length > 0 && (
            <div role="group" aria-label="Quick replies" className="flex flex-wrap gap-2">
              {approval.options.map((o) => (
                <button
                  key={o.name}
                  type="button"
                  data-testid="quick-reply"
                  data-name={o.name}
                  className={`${SECONDARY} rounded-full`}
                  disabled={busy}
                  onClick={() => quickReply(o)}
                >
                  {o.title}
                </button>
              ))}
            </div>
          )}
        </div>
      )}

      {state === "pending" && mode === "reject" && (
        <AnswerForm
          fieldId={fieldId}
          label="Why reject it?"
          hint="(sent to the agent)"
          onSubmit={submitReject}
          onCancel={() => setMode("none")}
          disabled={busy}
          submit={{ label: "Reject", tone: DANGER, testId: "reject-submit" }}
        >
          <textarea
            id={fieldId}
            data-testid="reject-reason"
            autoFocus
            rows={2}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={formKeys(submitReject)}
            className={TEXTAREA}
          />
        </AnswerForm>
      )}

      {state === "pending" && mode === "edit" && (
        <AnswerForm
          fieldId={fieldId}
          label="Arguments"
          hint="(JSON; change what the agent should use)"
          onSubmit={submitEdit}
          onCancel={() => setMode("none")}
          disabled={
            busy ||
            argsError !== null ||
            (edited && !allowed.includes("edit")) ||
            (!edited && !allowed.includes("approve") && !allowed.includes("edit"))
          }
          submit={{ label: edited ? "Submit" : "Accept", tone: PRIMARY, testId: "edit-submit" }}
        >
          <textarea
            id={fieldId}
            data-testid="edit-args"
            autoFocus
            rows={Math.min(16, argsText.split("\n").length + 1)}
            spellCheck={false}
            value={argsText}
            onChange={(e) => setArgsText(e.target.value)}
            onKeyDown={formKeys(submitEdit)}
            aria-invalid={argsError !== null}
            className={`${TEXTAREA} font-mono text-xs`}
          />
          {argsError !== null && (
            <p className="text-xs text-red-700 dark:text-red-400">{argsError}</p>
          )}
        </AnswerForm>
      )}

      {state === "pending" && mode === "answer" && (
        <AnswerForm
          fieldId={fieldId}
          label="Your answer"
          onSubmit={submitText}
          onCancel={() => setMode("none")}
          disabled={busy}
          submit={{ label: "Send answer", tone: PRIMARY, testId: "answer-submit" }}
        >
          <textarea
            id={fieldId}
            data-testid="answer-text"
            autoFocus
            rows={3}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={formKeys(submitText)}
            className={TEXTAREA}
          />
        </AnswerForm>
      )}

      {error !== null && (
        <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </article>
  );
});

/**
 * One of the card's answer forms: the labelled field (`children`, with id `fieldId`), then
 * submit (⌘/Ctrl ↵) and cancel (Esc).
 */
function AnswerForm({
  fieldId,
  label,
  hint,
  onSubmit,
  onCancel,
  disabled,
  submit,
  children,
}: {
  fieldId: string;
  label: string;
  hint?: string;
  onSubmit(): void;
  onCancel(): void;
  /** The submit button's: while an answer is on its way, or the field cannot be sent. */
  disabled: boolean;
  submit: { label: string; tone: string; testId: string };
  children: ReactNode;
}) {
  return (
    <form
      className="mt-3 space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <label htmlFor={fieldId} className="block text-sm font-medium">
        {label}
        {hint !== undefined && (
          <>
            {" "}
            <span className="font-normal text-zinc-600 dark:text-zinc-400">{hint}</span>
          </>
        )}
      </label>
      {children}
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="submit"
          data-testid={submit.testId}
          className={submit.tone}
          disabled={disabled}
        >
          {submit.label}
          <Kbd>⌘/Ctrl ↵</Kbd>
        </button>
        <button type="button" className={SECONDARY} onClick={onCancel}>
          Cancel<Kbd>Esc</Kbd>
        </button>
      </div>
    </form>
  );
}
