"use client";

import { useEffect, useId, useState, type FormEvent } from "react";
import { headers as natsHeaders, type MsgHdrs } from "nats.ws";
import { useNats } from "@/components/nats/nats-provider";
import { PRIORITIES, type Priority } from "@/lib/mq9/mod";
import { formatBytes } from "../format";
import type { BodyView } from "@/server/console/data/body";
import { BodyViews, prettyJson } from "./body-views";
import { parseHeaderLines, publishTarget, typedPriority, withPriority } from "./publish-target";
import { headerRecord, receivedBody } from "./received-body";
import { SectionHeading } from "./section-heading";
import { buttonClass, cardClass, hintClass, inputClass, labelClass } from "./ui";

interface Send {
  field: string;
  priority: Priority | "";
  headers: string;
  payload: string;
  request: boolean;
  timeoutMs: number;
}

interface RecentSend extends Send {
  id: string;
  at: number;
  subject: string;
}

type Result =
  | { kind: "sent"; subject: string; bytes: number; stored: boolean; at: number }
  | { kind: "reply"; subject: string; ms: number; body: BodyView; at: number }
  | { kind: "timeout"; subject: string; ms: number; at: number }
  | { kind: "error"; subject: string | null; message: string; at: number };

const RECENT_KEY = "mq9.ops.recent-sends.v1";
const RECENT_MAX = 20;
/** Larger payloads are sent but not kept for re-sending (localStorage is small). */
const RECENT_PAYLOAD_MAX = 64 * 1024;

function loadRecent(): RecentSend[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? "[]");
    return Array.isArray(v) ? (v as RecentSend[]) : [];
  } catch {
    return [];
  }
}

function saveRecent(list: RecentSend[]): void {
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    // Full or disabled storage: recent sends are a convenience, the send itself happened.
  }
}

function ResultView({ result }: { result: Result }) {
  const tone =
    result.kind === "error" || result.kind === "timeout"
      ? "border-red-300 dark:border-red-900"
      : "border-emerald-300 dark:border-emerald-900";
  return (
    <section
      data-testid="publish-result"
      data-kind={result.kind}
      aria-live="polite"
      className={`${cardClass} ${tone} flex flex-col gap-3 p-4`}
    >
      {result.kind === "sent" ? (
        <p className="text-sm">
          {result.stored ? "Stored in the mailbox and delivered: " : "Published to "}
          <code className="font-mono text-xs break-all">{result.subject}</code> (
          {formatBytes(result.bytes)}).
        </p>
      ) : result.kind === "reply" ? (
        <>
          <p className="text-sm">
            Reply from <code className="font-mono text-xs break-all">{result.subject}</code> in{" "}
            {result.ms} ms:
          </p>
          <BodyViews body={result.body} />
        </>
      ) : result.kind === "timeout" ? (
        <p className="text-sm">
          No reply within {result.ms} ms from{" "}
          <code className="font-mono text-xs break-all">{result.subject}</code>. Nobody answered (a
          message to a mailbox is still stored for its owner).
        </p>
      ) : (
        <p className="text-sm" role="alert">
          Not sent{result.subject ? ` to ${result.subject}` : ""}: {result.message}
        </p>
      )}
    </section>
  );
}

/**
 * A test publisher over the browser's own NATS connection: to a subject or a mailbox, with
 * headers, optionally as a request that waits for the reply.
 */
export function Publisher({ initialField }: { initialField: string }) {
  const { nc, mq9, status } = useNats();
  const [form, setForm] = useState<Send>({
    field: initialField,
    priority: "normal",
    headers: "",
    payload: "",
    request: false,
    timeoutMs: 5000,
  });
  const [result, setResult] = useState<Result | null>(null);
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<RecentSend[]>([]);
  const ids = useId();

  useEffect(() => setRecent(loadRecent()), []);

  const target = publishTarget(form.field, form.priority);
  const headerPairs = parseHeaderLines(form.headers);

  const send = async (s: Send) => {
    const t = publishTarget(s.field, s.priority);
    const pairs = parseHeaderLines(s.headers);
    const at = Date.now();
    if (t.kind === "invalid")
      return setResult({ kind: "error", subject: null, message: t.reason, at });
    if (typeof pairs === "string")
      return setResult({ kind: "error", subject: t.subject, message: pairs, at });
    if (nc === null || mq9 === null) {
      return setResult({ kind: "error", subject: t.subject, message: `NATS is ${status}`, at });
    }
    const data = new TextEncoder().encode(s.payload);
    let hdrs: MsgHdrs | undefined;
    if (pairs.length > 0) {
      hdrs = natsHeaders();
      for (const [k, v] of pairs) hdrs.append(k, v);
    }
    setBusy(true);
    try {
      if (s.request) {
        const start = performance.now();
        try {
          const reply = await nc.request(t.subject, data, { timeout: s.timeoutMs, headers: hdrs });
          setResult({
            kind: "reply",
            subject: t.subject,
            ms: Math.round(performance.now() - start),
            body: receivedBody(reply.data, headerRecord(reply.headers)),
            at,
          });
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === "TIMEOUT") {
            setResult({ kind: "timeout", subject: t.subject, ms: s.timeoutMs, at });
          } else if (code === "503") {
            setResult({
              kind: "error",
              subject: t.subject,
              message: "no responders (nobody subscribes to this subject)",
              at,
            });
          } else throw err;
        }
      } else if (t.kind === "mailbox") {
        // Checked: the broker's refusal (unknown mailbox, full, too large) comes back here.
        await mq9.send(t.mailId, data, {
          priority: t.priority,
          headers: pairs.length > 0 ? pairs : undefined,
          check: true,
        });
        setResult({ kind: "sent", subject: t.subject, bytes: data.length, stored: true, at });
      } else {
        nc.publish(t.subject, data, { headers: hdrs });
        await nc.flush();
        setResult({ kind: "sent", subject: t.subject, bytes: data.length, stored: false, at });
      }
      if (s.payload.length <= RECENT_PAYLOAD_MAX) {
        const entry: RecentSend = {
          ...s,
          id: `${at}-${Math.random().toString(36).slice(2)}`,
          at,
          subject: t.subject,
        };
        const same = (r: RecentSend) =>
          r.subject === entry.subject &&
          r.payload === entry.payload &&
          r.headers === entry.headers &&
          r.request === entry.request;
        const next = [entry, ...loadRecent().filter((r) => !same(r))].slice(0, RECENT_MAX);
        saveRecent(next);
        setRecent(next);
      }
    } catch (err) {
      setResult({ kind: "error", subject: t.subject, message: (err as Error).message, at });
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send(form);
  };

  const set = <K extends keyof Send>(k: K, v: Send[K]) => setForm((f) => ({ ...f, [k]: v }));
  const json = prettyJson(form.payload);

  return (
    <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <div className="flex flex-col gap-6">
        <form
          onSubmit={submit}
          className={`${cardClass} flex flex-col gap-4 p-4`}
          aria-label="Publish a message"
        >
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-[minmax(0,1fr)_12rem]">
            <div className="flex flex-col gap-1">
              <label htmlFor={`${ids}-subject`} className={labelClass}>
                Subject or mailbox
              </label>
              <input
                id={`${ids}-subject`}
                data-testid="publish-subject"
                value={form.field}
                onChange={(e) => {
                  const field = e.target.value;
                  const typed = typedPriority(field);
                  setForm((f) => ({ ...f, field, priority: typed ?? f.priority }));
                }}
                placeholder="orders.created, m-…, or $mq9.AI.INBOX.m-….urgent"
                className={`${inputClass} font-mono`}
                spellCheck={false}
                autoComplete="off"
                aria-describedby={`${ids}-resolved`}
                required
              />
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={`${ids}-priority`} className={labelClass}>
                Mailbox priority
              </label>
              <select
                id={`${ids}-priority`}
                data-testid="publish-priority"
                value={form.priority}
                onChange={(e) => {
                  const priority = e.target.value as Priority | "";
                  setForm((f) => ({
                    ...f,
                    priority,
                    field: priority === "" ? f.field : withPriority(f.field, priority),
                  }));
                }}
                className={inputClass}
              >
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
                <option value="">none (plain subject)</option>
              </select>
            </div>
          </div>
          <p id={`${ids}-resolved`} className={hintClass} data-testid="publish-resolved">
            {target.kind === "invalid" ? (
              form.field.trim() === "" ? (
                "A mail_id sends to that mailbox at the priority chosen; anything else is published as a plain NATS subject."
              ) : (
                <span className="text-red-700 dark:text-red-400">{target.reason}</span>
              )
            ) : target.kind === "mailbox" ? (
              <>
                Stored in mailbox <code className="font-mono">{target.mailId}</code>, sent to{" "}
                <code className="font-mono break-all">{target.subject}</code>
              </>
            ) : (
              <>
                Published to the plain subject{" "}
                <code className="font-mono break-all">{target.subject}</code>
                {form.priority !== "" ? " (priority only applies to mailboxes)" : ""}
              </>
            )}
          </p>

          <div className="flex flex-col gap-1">
            <label htmlFor={`${ids}-headers`} className={labelClass}>
              Headers
            </label>
            <textarea
              id={`${ids}-headers`}
              data-testid="publish-headers"
              value={form.headers}
              onChange={(e) => set("headers", e.target.value)}
              rows={3}
              placeholder={"One per line, e.g.\nContent-Type: application/json"}
              className={`${inputClass} font-mono`}
              spellCheck={false}
              aria-invalid={typeof headerPairs === "string"}
              aria-describedby={`${ids}-headers-hint`}
            />
            <p id={`${ids}-headers-hint`} className={hintClass}>
              {typeof headerPairs === "string" ? (
                <span className="text-red-700 dark:text-red-400">{headerPairs}</span>
              ) : (
                "Key: value, one per line. The broker adds Mq9-Msg-Id, Mq9-Priority and Mq9-Time to mailbox messages."
              )}
            </p>
          </div>

          <div className="flex flex-col gap-1">
            <div className="flex items-end justify-between gap-2">
              <label htmlFor={`${ids}-payload`} className={labelClass}>
                Payload
              </label>
              <button
                type="button"
                className={buttonClass.ghost}
                disabled={json === null}
                onClick={() => json !== null && set("payload", json)}
              >
                Format JSON
              </button>
            </div>
            <textarea
              id={`${ids}-payload`}
              data-testid="publish-payload"
              value={form.payload}
              onChange={(e) => set("payload", e.target.value)}
              rows={8}
              placeholder='{"type":"task","payload":"…"}'
              className={`${inputClass} font-mono`}
              spellCheck={false}
            />
            <p className={hintClass}>
              {formatBytes(new TextEncoder().encode(form.payload).length)}, sent as UTF-8 text
              {json !== null ? " (valid JSON)" : ""}.
            </p>
          </div>

          <div className="flex flex-wrap items-center gap-4">
            <label className="inline-flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                data-testid="publish-request"
                checked={form.request}
                onChange={(e) => set("request", e.target.checked)}
              />
              Request: wait for a reply
            </label>
            {form.request ? (
              <label className="inline-flex items-center gap-2 text-sm">
                Timeout (ms)
                <input
                  type="number"
                  min={100}
                  max={120000}
                  step={100}
                  value={form.timeoutMs}
                  onChange={(e) => set("timeoutMs", Math.max(100, Number(e.target.value) || 5000))}
                  className={`${inputClass} w-28`}
                />
              </label>
            ) : null}
            <button
              type="submit"
              data-testid="publish-submit"
              disabled={busy || nc === null}
              className={`${buttonClass.primary} ml-auto`}
            >
              {busy
                ? form.request
                  ? "Waiting for reply…"
                  : "Sending…"
                : form.request
                  ? "Send request"
                  : "Publish"}
            </button>
          </div>
          {nc === null ? (
            <p className={hintClass}>Waiting for the browser&apos;s NATS connection ({status}).</p>
          ) : null}
        </form>
        {result ? <ResultView result={result} /> : null}
      </div>

      <section aria-labelledby={`${ids}-recent`} className="flex flex-col gap-3">
        <SectionHeading id={`${ids}-recent`}>Recent sends</SectionHeading>
        {recent.length === 0 ? (
          <p className="rounded-xl border border-dashed border-zinc-300 p-4 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
            What you send is listed here (in this browser only), to send again or load into the
            form.
          </p>
        ) : (
          <ul className="flex flex-col gap-2">
            {recent.map((r) => (
              <li
                key={r.id}
                data-testid="recent-send"
                data-subject={r.subject}
                className={`${cardClass} flex flex-col gap-2 p-3`}
              >
                <div className="flex items-start justify-between gap-2">
                  <code className="font-mono text-xs break-all">{r.subject}</code>
                  {r.request ? (
                    <span className="shrink-0 rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">
                      request
                    </span>
                  ) : null}
                </div>
                <p className="truncate font-mono text-xs text-zinc-600 dark:text-zinc-400">
                  {r.payload === "" ? "(empty payload)" : r.payload.replace(/\s+/g, " ")}
                </p>
                <div className="flex gap-2">
                  <button
                    type="button"
                    data-testid="resend-button"
                    className={buttonClass.secondary}
                    disabled={busy || nc === null}
                    onClick={() => void send(r)}
                    aria-label={`Send again to ${r.subject}`}
                  >
                    Send again
                  </button>
                  <button
                    type="button"
                    className={buttonClass.ghost}
                    onClick={() =>
                      setForm({
                        field: r.field,
                        priority: r.priority,
                        headers: r.headers,
                        payload: r.payload,
                        request: r.request,
                        timeoutMs: r.timeoutMs,
                      })
                    }
                    aria-label={`Load the send to ${r.subject} into the form`}
                  >
                    Load into form
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
