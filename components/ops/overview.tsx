"use client";

import Link from "next/link";
import { Detail, DetailList } from "@/components/ui/detail-list";
import type { OpsSnapshot } from "@/server/console/data/overview";
import { ConnectPanel } from "../connect-panel";
import { formatBytes, formatCount, formatDuration, formatRate } from "../format";
import { Sparkline } from "../sparkline";
import { StatCard } from "../stat-card";
import { rateSeries, useStatusStream, type StreamState } from "../use-status-stream";
import { NoBroker } from "./no-broker";
import { PageHeader } from "./page-header";
import { SectionHeading } from "./section-heading";
import { linkClass } from "./ui";

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
        aria-hidden="true"
        className={`size-2 rounded-full ${style.dot} ${state === "live" ? "motion-safe:animate-pulse" : ""}`}
      />
      {style.text}
    </span>
  );
}

/** The broker at a glance: traffic, mailboxes, clients, live over server-sent events. */
export function Overview({ initial }: { initial: OpsSnapshot | null }) {
  const { snapshot, history, state } = useStatusStream(initial);
  const series = rateSeries(history);
  const rate = series.at(-1) ?? null;
  const s = snapshot?.stats;
  const mq9 = snapshot?.mq9;
  const levels = history.flatMap((h) => (h.mq9 ? [h.mq9] : []));

  return (
    <div className="flex flex-col gap-10">
      <PageHeader
        title="Overview"
        description="Live figures of the broker and its mailboxes, refreshed every second."
        actions={<StreamBadge state={state} />}
      />

      {!snapshot || !s || !mq9 ? (
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
                testId="stat-in-rate"
                detail={<span data-testid="stat-in-msgs">{formatCount(s.inMsgs)} total</span>}
              >
                <Sparkline values={series.map((r) => r.inMsgs)} label="Messages in, last minute" />
              </StatCard>
              <StatCard
                label="Messages out"
                value={formatRate(rate?.outMsgs ?? null)}
                raw={rate?.outMsgs}
                testId="stat-out-rate"
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

          <section aria-labelledby="mailboxes-heading" className="flex flex-col gap-4">
            <SectionHeading id="mailboxes-heading">Mailboxes</SectionHeading>
            <dl className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-4">
              <StatCard
                label="Mailboxes"
                value={formatCount(mq9.mailboxes)}
                raw={mq9.mailboxes}
                testId="stat-mailboxes"
                detail={
                  <Link href="/ops/mailboxes" className={linkClass}>
                    Browse mailboxes
                  </Link>
                }
              >
                <Sparkline values={levels.map((l) => l.mailboxes)} label="Mailboxes, last minute" />
              </StatCard>
              <StatCard
                label="Messages stored"
                value={formatCount(mq9.storedMessages)}
                raw={mq9.storedMessages}
                testId="stat-stored"
              >
                <Sparkline
                  values={levels.map((l) => l.storedMessages)}
                  label="Messages stored, last minute"
                />
              </StatCard>
              <StatCard
                label="Unread"
                value={formatCount(mq9.unreadMessages)}
                raw={mq9.unreadMessages}
                testId="stat-unread"
                detail="stored, not yet handed to an owner"
              >
                <Sparkline
                  values={levels.map((l) => l.unreadMessages)}
                  label="Unread messages, last minute"
                />
              </StatCard>
              <StatCard
                label="Dead letters"
                value={formatCount(mq9.deadLetters)}
                raw={mq9.deadLetters}
                testId="stat-dead-letters"
                detail={
                  <Link href="/ops/dead-letters" className={linkClass}>
                    Inspect dead letters
                  </Link>
                }
              >
                <Sparkline
                  values={levels.map((l) => l.deadLetters)}
                  label="Dead letters, last minute"
                />
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
              <DetailList className="gap-x-6 gap-y-3 rounded-xl border border-zinc-200 bg-white p-5 text-sm dark:border-zinc-800 dark:bg-zinc-900">
                <Detail
                  term="Server ID"
                  className="truncate font-mono text-xs leading-5"
                  title={s.serverId}
                  data-testid="stat-server-id"
                >
                  {s.serverId}
                </Detail>
                {s.serverName && s.serverName !== s.serverId ? (
                  <Detail term="Name" className="truncate">
                    {s.serverName}
                  </Detail>
                ) : null}
                <Detail term="mq9" className="tabular-nums" data-testid="stat-product-version">
                  {snapshot.productVersion}
                </Detail>
                <Detail term="NATS protocol" className="tabular-nums" data-testid="stat-version">
                  {s.version}
                </Detail>
                <Detail
                  term="Listeners"
                  className="flex flex-col gap-1 font-mono text-xs leading-5"
                >
                  {snapshot.endpoints.map((e) => (
                    <span key={`${e.kind}-${e.url}`} data-testid={`listener-${e.kind}`}>
                      {e.url}
                    </span>
                  ))}
                </Detail>
              </DetailList>
            </section>
          </div>
        </>
      )}

      <footer className="border-t border-zinc-200 pt-6 text-xs text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
        Figures refresh every second over server-sent events (
        <code className="font-mono">/api/stats/stream</code>); the same figures as JSON at{" "}
        <a className={`font-mono ${linkClass}`} href="/api/stats">
          /api/stats
        </a>
        .
      </footer>
    </div>
  );
}
