"use client";

import { useId, useState } from "react";
import type { BodyView } from "@/server/console/data/body";
import { CopyButton } from "../copy-button";
import { formatBytes } from "../format";

type BodyTab = "payload" | "headers" | "raw";

/** The payload as pretty JSON when it is JSON, else null. */
export function prettyJson(text: string): string | null {
  const t = text.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

/** Base64 to a hex dump (16 bytes a line with offsets), at most `max` bytes. */
function hexDump(base64: string, max = 4096): string {
  const bin = atob(base64);
  const lines: string[] = [];
  for (let off = 0; off < Math.min(bin.length, max); off += 16) {
    const chunk = bin.slice(off, off + 16);
    const hex = Array.from(chunk, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join(" ");
    const ascii = Array.from(chunk, (c) => {
      const n = c.charCodeAt(0);
      return n >= 32 && n < 127 ? c : ".";
    }).join("");
    lines.push(`${off.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bin.length > max) lines.push(`… ${bin.length - max} more bytes`);
  return lines.join("\n");
}

const preClass =
  "max-h-[60vh] overflow-auto rounded-lg bg-zinc-100 p-3 font-mono text-xs leading-5 whitespace-pre-wrap break-all text-zinc-900 dark:bg-zinc-950 dark:text-zinc-100";

function PayloadView({ body }: { body: BodyView }) {
  const [pretty, setPretty] = useState(true);
  if (body.encoding === "base64") {
    return (
      <div className="flex flex-col gap-2">
        <div className="flex items-center justify-between gap-2">
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            Binary payload ({formatBytes(body.payloadSize)}, not UTF-8): hex dump below; copy gives
            base64.
          </p>
          <CopyButton text={body.payload} label="Copy payload as base64" />
        </div>
        <pre className={preClass} data-testid="payload-text" tabIndex={0} aria-label="Payload">
          {hexDump(body.payload)}
        </pre>
      </div>
    );
  }
  const json = prettyJson(body.payload);
  const shown = json !== null && pretty ? json : body.payload;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          {formatBytes(body.payloadSize)}
          {json !== null ? " · JSON" : " · text"}
        </p>
        <div className="flex items-center gap-3">
          {json !== null ? (
            <label className="inline-flex items-center gap-1.5 text-xs">
              <input
                type="checkbox"
                checked={pretty}
                onChange={(e) => setPretty(e.target.checked)}
                data-testid="payload-pretty"
              />
              Pretty print
            </label>
          ) : null}
          <CopyButton text={shown} label="Copy payload" />
        </div>
      </div>
      {body.payload === "" ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Empty payload.</p>
      ) : (
        <pre className={preClass} data-testid="payload-text" tabIndex={0} aria-label="Payload">
          {shown}
        </pre>
      )}
    </div>
  );
}

function HeadersView({ body }: { body: BodyView }) {
  const entries = Object.entries(body.headers ?? {});
  if (entries.length === 0) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Sent without headers. Subscribers still get Mq9-Msg-Id, Mq9-Priority and Mq9-Time, which the
        broker adds on delivery (see Raw).
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-2">
      <div className="flex justify-end">
        <CopyButton text={body.headersText ?? ""} label="Copy headers" />
      </div>
      <table className="w-full text-sm" data-testid="headers-table">
        <thead>
          <tr>
            <th
              scope="col"
              className="py-1 pr-4 text-left text-xs font-semibold text-zinc-600 dark:text-zinc-400"
            >
              Header
            </th>
            <th
              scope="col"
              className="py-1 text-left text-xs font-semibold text-zinc-600 dark:text-zinc-400"
            >
              Value
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.flatMap(([k, values]) =>
            values.map((v, i) => (
              <tr key={`${k}-${i}`} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="py-1 pr-4 align-top font-mono text-xs">{k}</td>
                <td className="py-1 font-mono text-xs break-all">{v}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}

function RawView({ body }: { body: BodyView }) {
  const raw =
    body.raw ??
    `${body.headersText ?? ""}${body.encoding === "utf8" ? body.payload : `[base64] ${body.payload}`}`;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex items-center justify-between gap-2">
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          {body.raw !== null
            ? "Header block and payload as an owner subscription receives them."
            : "Header block and payload as stored."}
          {body.encoding === "base64" ? " The payload is binary, shown as base64." : ""}
        </p>
        <CopyButton text={raw} label="Copy raw message" />
      </div>
      <pre className={preClass} data-testid="raw-text" tabIndex={0} aria-label="Raw message">
        {raw}
      </pre>
    </div>
  );
}

const TABS: { id: BodyTab; label: string; testId: string }[] = [
  { id: "payload", label: "Payload", testId: "view-payload" },
  { id: "headers", label: "Headers", testId: "view-headers" },
  { id: "raw", label: "Raw", testId: "view-raw" },
];

/** Payload / headers / raw, as tabs (arrow keys move between them). */
export function BodyViews({ body }: { body: BodyView }) {
  const [tab, setTab] = useState<BodyTab>("payload");
  const id = useId();
  const headerCount = Object.values(body.headers ?? {}).reduce((n, v) => n + v.length, 0);
  const move = (delta: number) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(i + delta + TABS.length) % TABS.length]!;
    setTab(next.id);
    document.getElementById(`${id}-tab-${next.id}`)?.focus();
  };
  return (
    <div className="flex flex-col gap-3">
      <div
        role="tablist"
        aria-label="Message views"
        className="flex gap-1 border-b border-zinc-200 dark:border-zinc-800"
        onKeyDown={(e) => {
          if (e.key === "ArrowRight") move(1);
          else if (e.key === "ArrowLeft") move(-1);
        }}
      >
        {TABS.map((t) => (
          <button
            key={t.id}
            id={`${id}-tab-${t.id}`}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            aria-controls={`${id}-panel`}
            tabIndex={tab === t.id ? 0 : -1}
            data-testid={t.testId}
            onClick={() => setTab(t.id)}
            className={`-mb-px border-b-2 px-3 py-1.5 text-sm font-medium ${
              tab === t.id
                ? "border-zinc-900 text-zinc-900 dark:border-zinc-100 dark:text-zinc-100"
                : "border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
            }`}
          >
            {t.label}
            {t.id === "headers" && headerCount > 0 ? ` (${headerCount})` : ""}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${tab}`}>
        {tab === "payload" ? (
          <PayloadView body={body} />
        ) : tab === "headers" ? (
          <HeadersView body={body} />
        ) : (
          <RawView body={body} />
        )}
      </div>
    </div>
  );
}
