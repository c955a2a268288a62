"use client";

/**
 * Getting a mailbox into this browser: create one over the browser's own NATS connection
 * (MAILBOX.CREATE, mq9.md §3), or add one that exists with its mail_id and token, checked
 * with a peek QUERY (§7) so a wrong token is said at once and nothing is marked read.
 */
import { useId, useState, type ReactNode } from "react";
import { Mq9RequestError, type Mq9Client } from "@/lib/mq9/mod";
import { useNats } from "@/components/nats/nats-provider";
import { addMailbox, type OwnedMailbox } from "./owned-mailboxes";

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

/**
 * The part both forms share: unless the input has a `problem` (said instead), `request` asks
 * the broker for the mailbox, which this browser then owns.
 */
function MailboxForm({
  label,
  submit,
  problem,
  request,
  onDone,
  children,
}: {
  label: string;
  submit: { testId: string; idle: string; busy: string; ready: boolean };
  problem: string | null;
  request(mq9: Mq9Client): Promise<Omit<OwnedMailbox, "addedAt">>;
  onDone(): void;
  children: ReactNode;
}) {
  const { mq9 } = useNats();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    if (mq9 === null) return;
    if (problem !== null) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      addMailbox({ ...(await request(mq9)), addedAt: Date.now() });
      onDone();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
      aria-label={label}
      className="space-y-2 rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-700 dark:bg-zinc-900"
    >
      {children}
      <button
        type="submit"
        data-testid={submit.testId}
        disabled={busy || mq9 === null || !submit.ready}
        className={SUBMIT}
      >
        {mq9 === null ? "Connecting…" : busy ? submit.busy : submit.idle}
      </button>
      {error !== null && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </form>
  );
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className={LABEL}>
        {label}
      </label>
      {children}
    </div>
  );
}

export function NewMailboxForm({ onDone }: { onDone(): void }) {
  const [type, setType] = useState<"standard" | "latest">("standard");
  const [ttl, setTtl] = useState("3600");
  const id = useId();
  const seconds = Number(ttl);

  return (
    <MailboxForm
      label="New mailbox"
      submit={{
        testId: "mailbox-create-submit",
        idle: "Create mailbox",
        busy: "Creating…",
        ready: true,
      }}
      problem={
        Number.isInteger(seconds) && seconds >= 0 ? null : "TTL is a whole number of seconds."
      }
      request={async (mq9) => {
        const box = await mq9.create({ type, ttl: seconds });
        return { mailId: box.mailId, token: box.token, type: box.type, expiresAt: box.expiresAt };
      }}
      onDone={onDone}
    >
      <Field id={`${id}-type`} label="Type">
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
      </Field>
      <Field id={`${id}-ttl`} label="Lives for (seconds)">
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
      </Field>
    </MailboxForm>
  );
}

export function AddMailboxForm({ onDone }: { onDone(): void }) {
  const [mailId, setMailId] = useState("");
  const [token, setToken] = useState("");
  const id = useId();
  const mid = mailId.trim();
  const tok = token.trim();

  return (
    <MailboxForm
      label="Add a mailbox"
      submit={{
        testId: "add-mailbox-submit",
        idle: "Add mailbox",
        busy: "Checking…",
        ready: mid !== "" && tok !== "",
      }}
      problem={
        /^[a-z0-9_-]{1,128}$/.test(mid)
          ? null
          : "A mail_id is 1–128 characters of a–z, 0–9, _ and -."
      }
      request={async (mq9) => {
        // peek: adding a mailbox must not mark its mail read (mq9.md §7).
        const res = await mq9.query(mid, tok, { peek: true, limit: 1 });
        return { mailId: mid, token: tok, type: res.type, expiresAt: res.expiresAt };
      }}
      onDone={onDone}
    >
      <Field id={`${id}-id`} label="mail_id">
        <input
          id={`${id}-id`}
          data-testid="add-mailbox-id"
          value={mailId}
          onChange={(e) => setMailId(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className={`${INPUT} font-mono`}
        />
      </Field>
      <Field id={`${id}-token`} label="Token">
        <input
          id={`${id}-token`}
          data-testid="add-mailbox-token"
          type="password"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          className={`${INPUT} font-mono`}
        />
      </Field>
    </MailboxForm>
  );
}
