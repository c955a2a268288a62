"use client";

/**
 * Getting a mailbox into this browser: create one over the browser's own NATS connection
 * (MAILBOX.CREATE, mq9.md §3), or add one that exists with its mail_id and token, checked
 * with a peek QUERY (§7) so a wrong token is said at once and nothing is marked read.
 */
import { useId, useState, type FormEvent } from "react";
import { Mq9RequestError } from "@/lib/mq9/mod";
import { useNats } from "@/components/nats/nats-provider";
import { addMailbox } from "./owned-mailboxes";

const INPUT =
  "w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm text-zinc-900 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100";
const LABEL = "block text-xs font-medium text-zinc-700 dark:text-zinc-300";
const SUBMIT =
  "w-full rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800 disabled:cursor-not-allowed disabled:opacity-50";

function message(err: unknown): string {
  if (err instanceof Mq9RequestError) {
    switch (err.code) {
      case "unauthorized":
        return "The token does not match this mailbox.";
      case "not_found":
        return "No such mailbox: it may have expired.";
      case "ttl_out_of_range":
        return `The broker refused that TTL: ${err.message}`;
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

export function NewMailboxForm({ onDone }: { onDone(): void }) {
  const { mq9 } = useNats();
  const [type, setType] = useState<"standard" | "latest">("standard");
  const [ttl, setTtl] = useState("3600");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mq9 === null) return;
    const seconds = Number(ttl);
    if (!Number.isInteger(seconds) || seconds < 0) {
      setError("TTL is a whole number of seconds.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const box = await mq9.create({ type, ttl: seconds });
      addMailbox({
        mailId: box.mailId,
        token: box.token,
        type: box.type,
        expiresAt: box.expiresAt,
        addedAt: Date.now(),
      });
      onDone();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(e) => void submit(e)}
      aria-label="New mailbox"
      className="space-y-2 rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-700 dark:bg-zinc-900"
    >
      <div>
        <label htmlFor={`${id}-type`} className={LABEL}>
          Type
        </label>
        <select
          id={`${id}-type`}
          data-testid="mailbox-type"
          value={type}
          onChange={(e) => setType(e.target.value === "latest" ? "latest" : "standard")}
          className={INPUT}
        >
          <option value="standard">standard — keeps every message</option>
          <option value="latest">latest — keeps only the newest</option>
        </select>
      </div>
      <div>
        <label htmlFor={`${id}-ttl`} className={LABEL}>
          Lives for (seconds)
        </label>
        <input
          id={`${id}-ttl`}
          data-testid="mailbox-ttl"
          type="number"
          inputMode="numeric"
          min={0}
          step={1}
          value={ttl}
          onChange={(e) => setTtl(e.target.value)}
          className={INPUT}
        />
      </div>
      <button
        type="submit"
        data-testid="mailbox-create-submit"
        disabled={busy || mq9 === null}
        className={SUBMIT}
      >
        {mq9 === null ? "Connecting…" : busy ? "Creating…" : "Create mailbox"}
      </button>
      {error !== null && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}

export function AddMailboxForm({ onDone }: { onDone(): void }) {
  const { mq9 } = useNats();
  const [mailId, setMailId] = useState("");
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mq9 === null) return;
    const mid = mailId.trim();
    const tok = token.trim();
    if (!/^[a-z0-9_-]{1,128}$/.test(mid)) {
      setError("A mail_id is 1–128 characters of a–z, 0–9, _ and -.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // peek: adding a mailbox must not mark its mail read (mq9.md §7).
      const res = await mq9.query(mid, tok, { peek: true, limit: 1 });
      addMailbox({
        mailId: mid,
        token: tok,
        type: res.type,
        expiresAt: res.expiresAt,
        addedAt: Date.now(),
      });
      onDone();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(e) => void submit(e)}
      aria-label="Add a mailbox"
      className="space-y-2 rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-700 dark:bg-zinc-900"
    >
      <div>
        <label htmlFor={`${id}-id`} className={LABEL}>
          mail_id
        </label>
        <input
          id={`${id}-id`}
          data-testid="add-mailbox-id"
          value={mailId}
          onChange={(e) => setMailId(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className={`${INPUT} font-mono`}
        />
      </div>
      <div>
        <label htmlFor={`${id}-token`} className={LABEL}>
          Token
        </label>
        <input
          id={`${id}-token`}
          data-testid="add-mailbox-token"
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          className={`${INPUT} font-mono`}
        />
      </div>
      <button
        type="submit"
        data-testid="add-mailbox-submit"
        disabled={busy || mq9 === null || mailId.trim() === "" || token.trim() === ""}
        className={SUBMIT}
      >
        {mq9 === null ? "Connecting…" : busy ? "Checking…" : "Add mailbox"}
      </button>
      {error !== null && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}
