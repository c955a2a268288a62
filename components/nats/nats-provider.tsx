"use client";

/**
 * One NATS connection per browser tab, over WebSocket to this console's own origin
 * (`/nats`, credentials from the guard: in the page, then /api/session), shared by every
 * page: the human is a protocol citizen like any agent (mq9.md scenario 6). Reconnects
 * forever; pages that keep state from subscriptions refresh it after a reconnect.
 */
import { connect, headers, type NatsConnection } from "nats.ws";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { Mq9Client } from "@/lib/mq9/mod";
import type { NatsSession } from "@/server/console/guard";

export type NatsStatus = "connecting" | "connected" | "reconnecting" | "closed";

export interface NatsContextValue {
  nc: NatsConnection | null;
  mq9: Mq9Client | null;
  status: NatsStatus;
  error: string | null;
  /** Increments on every reconnect (not the first connect). */
  reconnects: number;
}

const NatsContext = createContext<NatsContextValue>({
  nc: null,
  mq9: null,
  status: "connecting",
  error: null,
  reconnects: 0,
});

const RETRY_MS = 2000;

function wsUrl(path: string): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

async function fetchSession(role: "operator" | "human"): Promise<NatsSession> {
  const res = await fetch(`/api/session?role=${role}`, { cache: "no-store" });
  if (!res.ok) throw new Error(`session refused (${res.status})`);
  return (await res.json()) as NatsSession;
}

export function NatsProvider({
  children,
  role = "human",
  initialSession = null,
}: {
  children: ReactNode;
  role?: "operator" | "human";
  /** Rendered into the page by the server, saving the first connect a round trip. */
  initialSession?: NatsSession | null;
}) {
  const firstSession = useRef(initialSession);
  const [value, setValue] = useState<NatsContextValue>({
    nc: null,
    mq9: null,
    status: "connecting",
    error: null,
    reconnects: 0,
  });

  useEffect(() => {
    let stopped = false;
    let nc: NatsConnection | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;

    const open = async () => {
      try {
        // Later attempts ask again: credentials may have changed (sign-in, expiry).
        const session = firstSession.current ?? (await fetchSession(role));
        firstSession.current = null;
        const conn = await connect({
          servers: wsUrl(session.path),
          name: session.name,
          ...(session.token !== null && { token: session.token }),
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
        });
        if (stopped) {
          void conn.close();
          return;
        }
        nc = conn;
        // For bench/console-perf.ts: where the first screen's time goes.
        performance.mark("mq9:nats-connected");
        const mq9 = new Mq9Client(conn, { headers: () => headers() });
        setValue({ nc: conn, mq9, status: "connected", error: null, reconnects: 0 });
        void watch(conn);
        const err = await conn.closed();
        if (stopped) return;
        setValue((v) => ({
          ...v,
          nc: null,
          mq9: null,
          status: "closed",
          error: err ? err.message : "connection closed",
        }));
        retry = setTimeout(() => void open(), RETRY_MS);
      } catch (err) {
        if (stopped) return;
        setValue((v) => ({ ...v, status: "closed", error: (err as Error).message }));
        retry = setTimeout(() => void open(), RETRY_MS);
      }
    };

    const watch = async (conn: NatsConnection) => {
      for await (const s of conn.status()) {
        if (stopped) return;
        if (s.type === "disconnect" || s.type === "reconnecting") {
          setValue((v) => (v.status === "reconnecting" ? v : { ...v, status: "reconnecting" }));
        } else if (s.type === "reconnect") {
          setValue((v) => ({
            ...v,
            status: "connected",
            error: null,
            reconnects: v.reconnects + 1,
          }));
        }
      }
    };

    void open();
    return () => {
      stopped = true;
      if (retry !== null) clearTimeout(retry);
      void nc?.close();
    };
  }, [role]);

  return <NatsContext.Provider value={value}>{children}</NatsContext.Provider>;
}

export function useNats(): NatsContextValue {
  return useContext(NatsContext);
}

/** Runs `cb` after each reconnect (not on the first connect): re-QUERY what may have changed. */
export function useNatsReconnected(cb: () => void): void {
  const { reconnects } = useNats();
  const latest = useRef(cb);
  useEffect(() => {
    latest.current = cb;
  });
  useEffect(() => {
    if (reconnects > 0) latest.current();
  }, [reconnects]);
}

/** A small dot + word for the shell: where the browser's NATS connection stands. */
export function NatsStatusBadge() {
  const { status, error } = useNats();
  const tone =
    status === "connected" ? "bg-emerald-500" : status === "closed" ? "bg-red-500" : "bg-amber-500";
  return (
    <span
      data-testid="nats-status"
      data-state={status}
      title={error ?? undefined}
      className="inline-flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400"
    >
      <span aria-hidden className={`size-2 rounded-full ${tone}`} />
      NATS {status}
    </span>
  );
}
