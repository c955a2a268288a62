"use client";

import type { StatusSnapshot } from "@/server/status";
import { ConnectPanel } from "./connect-panel";
import { formatBytes, formatCount, formatDuration, formatRate } from "./format";
import { Sparkline } from "./sparkline";
import { StatCard } from "./stat-card";
import { rateSeries, useStatusStream, type StreamState } from "./use-status-stream";

const STATE_STYLE: Record<StreamState, { dot: string; text: string }> = {
  live: { dot: "bg-emerald-500", text: "Live" },
  connecting: { dot: "bg-amber-400", text: "Connecting" },
  offline: { dot: "bg-red-500", text: "Offline — retrying" },
};

function StreamBadge({ state }: { state: StreamState }) {
  const style = STATE_STYLE[state];
  return (
    <span
      className="inline-flex items-center gap-2 rounded-full border border-zinc-200 bg-white px-3 py-1 text-xs font-medium dark:border-zinc-800 dark:bg-zinc-900"
      data-testid="stream-state"
      data-state={state}
      aria-live="polite"
    >
      <span
        className={`size-2 rounded-full ${style.dot} ${state === "live" ? "animate-pulse" : ""}`}
      />
      {style.text}
    </span>
  );
}

function SectionHeading({ id, children }: { id: string; children: string }) {
  return (
    <h2
      id={id}
      className="text-xs font-semibold tracking-wider text-zinc-500 uppercase dark:text-zinc-400"
    >
      {children}
    </h2>
  );
}

function Header({ state }: { state: StreamState }) {
  return (
    <header className="flex flex-wrap items-center justify-between gap-4">
      <div className="flex items-center gap-3">
        <span className="grid size-10 place-items-center rounded-lg bg-zinc-900 font-mono text-sm font-bold text-white dark:bg-white dark:text-zinc-900">
          mq9
        </span>
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Broker status</h1>
          <p className="text-sm text-zinc-500 dark:text-zinc-400">
            NATS-compatible messaging for AI agents
          </p>
        </div>
      </div>
      <StreamBadge state={state} />
    </header>
  );
}

function NoBroker() {
  return (
    <div className="rounded-xl border border-dashed border-zinc-300 p-10 text-center dark:border-zinc-700">
      <p className="font-medium">No broker is running in this process.</p>
      <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">
        Start the console with <code className="font-mono">npm start</code>, which runs the broker
        and this page together.
      </p>
    </div>
  );
}

export function LiveStatus({ initial }: { initial: StatusSnapshot | null }) {
  const { snapshot, history, state } = useStatusStream(initial);
  const series = rateSeries(history);
  const rate = series.at(-1) ?? null;
  const s = snapshot?.stats;

  return (
    <main className="mx-auto flex max-w-6xl flex-col gap-10 px-6 py-10">
      <Header state={state} />

      {!snapshot || !s ? (
        <NoBroker />
      ) : (
        <>
          <section aria-labelledby="traffic-heading" className="flex flex-col gap-4">
            <SectionHeading id="traffic-heading">Traffic · per second</SectionHeading>
            <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
              <StatCard
                label="Messages in"
                value={formatRate(rate?.inMsgs ?? null)}
                raw={rate?.inMsgs}
                testId="stat-in-msgs-rate"
                detail={<span data-testid="stat-in-msgs">{formatCount(s.inMsgs)} total</span>}
              >
                <Sparkline values={series.map((r) => r.inMsgs)} label="Messages in, last minute" />
              </StatCard>
              <StatCard
                label="Messages out"
                value={formatRate(rate?.outMsgs ?? null)}
                raw={rate?.outMsgs}
                testId="stat-out-msgs-rate"
                detail={<span data-testid="stat-out-msgs">{formatCount(s.outMsgs)} total</span>}
              >
                <Sparkline
                  values={series.map((r) => r.outMsgs)}
                  label="Messages out, last minute"
                />
              </StatCard>
              <StatCard
                label="Bytes in"
                value={rate ? `${formatBytes(rate.inBytes)}/s` : "—"}
                raw={rate?.inBytes}
                testId="stat-in-bytes-rate"
                detail={<span data-testid="stat-in-bytes">{formatBytes(s.inBytes)} total</span>}
              >
                <Sparkline values={series.map((r) => r.inBytes)} label="Bytes in, last minute" />
              </StatCard>
              <StatCard
                label="Bytes out"
                value={rate ? `${formatBytes(rate.outBytes)}/s` : "—"}
                raw={rate?.outBytes}
                testId="stat-out-bytes-rate"
                detail={<span data-testid="stat-out-bytes">{formatBytes(s.outBytes)} total</span>}
              >
                <Sparkline values={series.map((r) => r.outBytes)} label="Bytes out, last minute" />
              </StatCard>
            </dl>
          </section>

          <section aria-labelledby="clients-heading" className="flex flex-col gap-4">
            <SectionHeading id="clients-heading">Clients</SectionHeading>
            <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
              <StatCard
                label="Connections"
                value={formatCount(s.connections)}
                raw={s.connections}
                testId="stat-connections"
                detail={
                  <span data-testid="stat-total-connections">
                    {formatCount(s.totalConnections)} since start
                  </span>
                }
              />
              <StatCard
                label="Subscriptions"
                value={formatCount(s.subscriptions)}
                raw={s.subscriptions}
                testId="stat-subscriptions"
              />
              <StatCard
                label="Slow consumers"
                value={formatCount(s.slowConsumers)}
                raw={s.slowConsumers}
                testId="stat-slow-consumers"
                detail="cut off for not reading"
              />
              <StatCard
                label="Uptime"
                value={formatDuration(snapshot.uptimeMs)}
                raw={snapshot.uptimeMs}
                testId="stat-uptime"
              />
            </dl>
          </section>

          <div className="grid grid-cols-1 gap-10 lg:grid-cols-5">
            <div className="lg:col-span-3">
              <ConnectPanel endpoints={snapshot.endpoints} />
            </div>
            <section aria-labelledby="server-heading" className="flex flex-col gap-4 lg:col-span-2">
              <SectionHeading id="server-heading">Server</SectionHeading>
              <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-3 rounded-xl border border-zinc-200 bg-white p-5 text-sm dark:border-zinc-800 dark:bg-zinc-900">
                <dt className="text-zinc-500 dark:text-zinc-400">Server ID</dt>
                <dd
                  className="truncate font-mono text-xs leading-5"
                  title={s.serverId}
                  data-testid="stat-server-id"
                >
                  {s.serverId}
                </dd>
                {s.serverName && s.serverName !== s.serverId ? (
                  <>
                    <dt className="text-zinc-500 dark:text-zinc-400">Name</dt>
                    <dd className="truncate">{s.serverName}</dd>
                  </>
                ) : null}
                <dt className="text-zinc-500 dark:text-zinc-400">mq9</dt>
                <dd className="tabular-nums" data-testid="stat-product-version">
                  {snapshot.productVersion}
                </dd>
                <dt className="text-zinc-500 dark:text-zinc-400">NATS protocol</dt>
                <dd className="tabular-nums" data-testid="stat-version">
                  {s.version}
                </dd>
                <dt className="text-zinc-500 dark:text-zinc-400">Listeners</dt>
                <dd className="flex flex-col gap-1 font-mono text-xs leading-5">
                  {snapshot.endpoints.map((e) => (
                    <span key={`${e.kind}-${e.url}`} data-testid={`listener-${e.kind}`}>
                      {e.url}
                    </span>
                  ))}
                </dd>
              </dl>
            </section>
          </div>
        </>
      )}

      <footer className="border-t border-zinc-200 pt-6 text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400">
        Figures refresh every second over server-sent events (
        <code className="font-mono">/api/stats/stream</code>); the same figures as JSON at{" "}
        <a className="font-mono underline underline-offset-2" href="/api/stats">
          /api/stats
        </a>
        .
      </footer>
    </main>
  );
}
