"use client";

import { useEffect, useState } from "react";
import type { Mq9Stats } from "@/server/mq9/service";
import type { StatusSnapshot } from "@/server/status";

/** What the stream sends: the broker's figures, with mq9's where the server has them. */
export type StreamSnapshot = StatusSnapshot & { mq9?: Mq9Stats };

export type StreamState = "connecting" | "live" | "offline";

/** The counters rates are computed from, one per snapshot. */
export interface Sample {
  at: number;
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
  /** mq9's figures (levels, not counters); null when the snapshot had none. */
  mq9: Mq9Stats | null;
}

export type Rates = Pick<Sample, "inMsgs" | "outMsgs" | "inBytes" | "outBytes">;

/** A minute of one-second samples. */
const HISTORY = 61;
const RETRY_MS = 2000;

function toSample(s: StreamSnapshot): Sample {
  const { inMsgs, outMsgs, inBytes, outBytes } = s.stats;
  return { at: s.sampledAt, inMsgs, outMsgs, inBytes, outBytes, mq9: s.mq9 ?? null };
}

/** Per-second rates between two samples; null if they cannot be compared. */
export function ratesBetween(a: Sample, b: Sample): Rates | null {
  const seconds = (b.at - a.at) / 1000;
  // Counters going backwards mean the broker restarted: no meaningful delta.
  if (seconds <= 0 || b.inMsgs < a.inMsgs || b.outMsgs < a.outMsgs) return null;
  return {
    inMsgs: (b.inMsgs - a.inMsgs) / seconds,
    outMsgs: (b.outMsgs - a.outMsgs) / seconds,
    inBytes: (b.inBytes - a.inBytes) / seconds,
    outBytes: (b.outBytes - a.outBytes) / seconds,
  };
}

/** Rates for each consecutive pair, oldest first (for the sparklines). */
export function rateSeries(history: readonly Sample[]): Rates[] {
  const out: Rates[] = [];
  for (let i = 1; i < history.length; i++) {
    const r = ratesBetween(history[i - 1] as Sample, history[i] as Sample);
    if (r) out.push(r);
  }
  return out;
}

interface StreamView<S extends StreamSnapshot> {
  snapshot: S | null;
  history: Sample[];
  state: StreamState;
}

/**
 * Follows `/api/stats/stream`. EventSource retries network errors by itself but gives up on
 * an HTTP error (503 while no broker runs), so every error closes it and retries here.
 */
export function useStatusStream<S extends StreamSnapshot>(
  initial: S | null,
  url = "/api/stats/stream",
) {
  const [view, setView] = useState<StreamView<S>>(() => ({
    snapshot: initial,
    history: initial ? [toSample(initial)] : [],
    state: "connecting",
  }));

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const open = () => {
      source = new EventSource(url);
      source.onmessage = (event: MessageEvent<string>) => {
        const next = JSON.parse(event.data) as S;
        setView((prev) => {
          const restarted = prev.snapshot?.stats.serverId !== next.stats.serverId;
          const kept = restarted ? [] : prev.history.slice(-(HISTORY - 1));
          return { snapshot: next, history: [...kept, toSample(next)], state: "live" };
        });
      };
      source.onerror = () => {
        source?.close();
        setView((prev) => ({ ...prev, state: "offline" }));
        retry = setTimeout(open, RETRY_MS);
      };
    };
    open();

    return () => {
      source?.close();
      if (retry !== undefined) clearTimeout(retry);
    };
  }, [url]);

  return view;
}
