/**
 * The console's HTTP server: Next.js for pages and route handlers, and NATS over WebSocket
 * at `/nats` on the same port, so a browser needs one origin for both.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { RunConfig } from "./config";
import { consoleDevMode } from "./console-build";
import { webSocketAllowed } from "./console/guard";
import { describeError, type Logger } from "./log";
import type { Broker } from "./nats/mod";
import { handleUpgrade } from "./nats/transports/websocket/mod";
import { hostPort, type Endpoint } from "./runtime";

export const NATS_WS_PATH = "/nats";

export interface ConsoleServer {
  endpoints: Endpoint[];
  /** Stops accepting and drops open HTTP connections (live streams included). */
  stop(): Promise<void>;
}

function rejectUpgrade(socket: Duplex, status: string) {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startConsoleServer(opts: {
  config: RunConfig;
  broker: Broker;
  root: string;
  log: Logger;
}): Promise<ConsoleServer> {
  const { config, broker, root, log } = opts;
  // Next picks its React build from NODE_ENV when it loads, so set it before the import.
  // (Next's types declare NODE_ENV read-only; for a custom server it is ours to set.)
  const env = process.env as Record<string, string | undefined>;
  const dev = consoleDevMode();
  env.NODE_ENV ??= dev ? "development" : "production";
  const { default: next } = await import("next");
  const app = next({
    dev,
    dir: root,
    hostname: config.broker.host,
    port: config.consolePort || undefined,
  });
  await app.prepare();
  const handle = app.getRequestHandler();

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error(`Console request ${req.method} ${req.url} failed: ${describeError(err)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error\n");
    });
  });

  // Next attaches its own upgrade listener after the first request; in production it only
  // acts on paths it routes, and it routes nothing at /nats.
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname === NATS_WS_PATH || pathname === `${NATS_WS_PATH}/`) {
      if (!webSocketAllowed(req)) return rejectUpgrade(socket, "401 Unauthorized");
      try {
        handleUpgrade(broker, req, socket, head);
      } catch (err) {
        log.error(`WebSocket upgrade failed: ${describeError(err)}`);
        socket.destroy();
      }
    } else if (dev && pathname.startsWith("/_next/")) {
      // The dev server's hot-reload socket, which Next's own upgrade listener takes
      // (without it the dev client never hydrates).
      return;
    } else {
      rejectUpgrade(socket, "404 Not Found");
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.consolePort, config.broker.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const where = hostPort(address, port);
  const endpoints: Endpoint[] = [
    { kind: "console", host: address, port, url: `http://${where}/` },
    { kind: "websocket", host: address, port, url: `ws://${where}${NATS_WS_PATH}` },
  ];
  log.info(`Listening for websocket clients on ws://${where}${NATS_WS_PATH}`);
  log.info(`Console available at http://${where}/`);

  return {
    endpoints,
    async stop() {
      server.close();
      server.closeAllConnections();
      await app.close();
    },
  };
}
