"use client";

import { useSyncExternalStore } from "react";
import type { Endpoint } from "@/server/runtime";
import { CopyButton } from "./copy-button";

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * A listener bound to every interface is not an address a client can dial; the host the
 * browser used to reach this page is the best guess. The server renders without it (null),
 * so hydration agrees, and the browser swaps it in right after.
 */
function dialable(endpoint: Endpoint, browserHost: string | null): string {
  if (!browserHost || !WILDCARD_HOSTS.has(endpoint.host)) return endpoint.url;
  return endpoint.url.replace(
    endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host,
    browserHost,
  );
}

// The page's own host does not change while it is open.
const noSubscription = () => () => {};

/** The WebSocket endpoint on the console's own port, reached at a path. */
function isConsoleWebSocket(e: Endpoint): boolean {
  return e.kind === "websocket" && new URL(e.url).pathname !== "/";
}

function describe(e: Endpoint): string {
  if (e.kind === "tcp") return "NATS over TCP — agents, services, any NATS client";
  if (isConsoleWebSocket(e)) return "NATS over WebSocket on this console's port — browsers";
  return "NATS over WebSocket, standalone listener";
}

export function ConnectPanel({ endpoints }: { endpoints: readonly Endpoint[] }) {
  const browserHost = useSyncExternalStore(
    noSubscription,
    () => window.location.hostname,
    () => null,
  );

  const clients = endpoints.filter((e) => e.kind !== "console");
  const tcp = clients.find((e) => e.kind === "tcp");
  // Same origin as the page, so a browser app served beside it needs nothing else.
  const ws = clients.find(isConsoleWebSocket) ?? clients.find((e) => e.kind === "websocket");

  return (
    <section aria-labelledby="connect-heading" className="flex flex-col gap-4">
      <h2
        id="connect-heading"
        className="text-xs font-semibold tracking-wider text-zinc-500 uppercase dark:text-zinc-400"
      >
        Connect
      </h2>
      <ul className="flex flex-col gap-3">
        {clients.map((e) => {
          const url = dialable(e, browserHost);
          return (
            <li
              key={e.url}
              className="flex items-center gap-3 rounded-xl border border-zinc-200 bg-white px-4 py-3 dark:border-zinc-800 dark:bg-zinc-900"
            >
              <div className="flex min-w-0 flex-1 flex-col gap-0.5">
                <span className="text-xs text-zinc-500 dark:text-zinc-400">{describe(e)}</span>
                <code
                  className="truncate font-mono text-sm"
                  data-testid={`endpoint-${e.kind}${e.kind === "websocket" && !isConsoleWebSocket(e) ? "-standalone" : ""}`}
                >
                  {url}
                </code>
              </div>
              <CopyButton text={url} label={`Copy ${url}`} />
            </li>
          );
        })}
      </ul>
      {tcp || ws ? (
        <pre className="overflow-x-auto rounded-xl bg-zinc-900 p-4 font-mono text-xs leading-relaxed text-zinc-100 dark:border dark:border-zinc-800 dark:bg-black/40">
          {tcp
            ? `// Node, over TCP (npm i nats)\nimport { connect } from "nats";\nconst nc = await connect({ servers: "${dialable(tcp, browserHost)}" });\n`
            : ""}
          {tcp && ws ? "\n" : ""}
          {ws
            ? `// Browser, over WebSocket (npm i nats.ws)\nimport { connect } from "nats.ws";\nconst nc = await connect({ servers: "${dialable(ws, browserHost)}" });`
            : ""}
        </pre>
      ) : null}
    </section>
  );
}
