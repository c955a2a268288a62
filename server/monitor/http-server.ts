/**
 * The monitoring listener (nats-server's `http_port`): routes each path to its endpoint,
 * counts requests for /varz `http_req_stats`, and answers as nats-server's handlers do —
 * JSON with `Content-Type: application/json`, 400 with a plain-text reason for a bad
 * query value, Go's "404 page not found" for anything else.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Mq9Stats } from "../mq9/service";
import { SILENT_LOGGER, type Broker, type Logger } from "../nats/mod";
import { connz, parseConnzQuery } from "./connz";
import { goJson, QueryError, queryBool } from "./go-format";
import { indexPage } from "./index-page";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics";
import { UsageSampler } from "./process-usage";
import { parseSubszQuery, sublistStats, subsz } from "./subsz";
import { gatewayz, leafz, routez } from "./topology";
import { ConnectionTracker } from "./tracker";
import { DEFAULT_VARZ_SETTINGS, varz, type VarzSettings } from "./varz";

export interface MonitorOptions {
  broker: Broker;
  host: string;
  /** 0 = any free port. */
  port: number;
  /**
   * Built into the broker's hooks (ConnectionTracker.observe) for closed connections and
   * subscription counts; without one, those read as none.
   */
  tracker?: ConnectionTracker;
  /** Adds mq9's gauges to /metrics. */
  mq9?: { stats(): Mq9Stats } | null;
  /** Read on every /varz; may change after a reload. */
  settings?: () => VarzSettings;
  log?: Logger;
}

export interface Monitor {
  /** As bound. */
  readonly address: { host: string; port: number };
  /** `config_load_time`: call after a successful reload. */
  configLoaded(at?: number): void;
  /** Stops listening and drops open HTTP connections. */
  close(): Promise<void>;
}

type Reply = { status: number; type: string; body: string };

const json = (value: unknown, indent = true): Reply => ({
  status: 200,
  type: "application/json",
  body: goJson(value, indent),
});

const NOT_FOUND: Reply = {
  status: 404,
  type: "text/plain; charset=utf-8",
  body: "404 page not found\n",
};

export async function startMonitor(opts: MonitorOptions): Promise<Monitor> {
  const { broker } = opts;
  const tracker = opts.tracker ?? new ConnectionTracker();
  const settings = opts.settings ?? (() => DEFAULT_VARZ_SETTINGS);
  const log = opts.log ?? SILENT_LOGGER;
  const usage = new UsageSampler();
  const reqStats: Record<string, number> = {};
  let configLoadTime = Date.now();
  let bound = { host: opts.host, port: opts.port };

  const count = (path: string) => {
    reqStats[path] = (reqStats[path] ?? 0) + 1;
  };
  const makeVarz = (now: number) =>
    varz({
      broker,
      settings: settings(),
      http: bound,
      usage: usage.sample(now),
      httpReqStats: reqStats,
      configLoadTime,
      now,
    });

  /** One request; `path` is the URL path, `q` its query. */
  const route = (path: string, q: URLSearchParams): Reply => {
    const now = Date.now();
    switch (path) {
      case "/":
        count("/");
        return {
          status: 200,
          type: "text/html; charset=utf-8",
          body: indexPage(broker.options.version),
        };
      case "/varz":
        count("/varz");
        return json(makeVarz(now));
      case "/connz": {
        const query = parseConnzQuery(q);
        count("/connz");
        return json(connz(broker, tracker, query, now));
      }
      case "/subsz":
      case "/subscriptionsz": {
        count("/subsz");
        return json(subsz(broker, tracker, parseSubszQuery(q), now));
      }
      case "/healthz":
        count("/healthz");
        // Only JetStream checks read these; decoded so bad values get nats-server's 400.
        queryBool(q, "js-enabled");
        queryBool(q, "js-enabled-only");
        queryBool(q, "js-server-only");
        return json({ status: "ok" }, false);
      case "/routez":
        count("/routez");
        return json(routez(broker.serverId, broker.cluster, now, queryBool(q, "subs")));
      case "/gatewayz":
        count("/gatewayz");
        return json(gatewayz(broker.serverId, now));
      case "/leafz":
        count("/leafz");
        return json(leafz(broker.serverId, now));
      case "/metrics": {
        count("/metrics");
        const body = metricsText({
          varz: makeVarz(now),
          subs: sublistStats(broker, tracker),
          mq9: opts.mq9?.stats() ?? null,
          uptimeSeconds: (now - broker.startedAt) / 1000,
        });
        return { status: 200, type: METRICS_CONTENT_TYPE, body };
      }
      default:
        return NOT_FOUND;
    }
  };

  const server = http.createServer((req, res) => {
    let reply: Reply;
    try {
      const url = new URL(req.url ?? "/", "http://monitor");
      reply = route(url.pathname, url.searchParams);
    } catch (err) {
      if (err instanceof QueryError) {
        reply = { status: 400, type: "text/plain; charset=utf-8", body: err.message };
      } else {
        log.error("monitoring: request failed", { path: req.url ?? "", err: String(err) });
        reply = { status: 500, type: "text/plain; charset=utf-8", body: "internal error" };
      }
    }
    res.writeHead(reply.status, {
      "Content-Type": reply.type,
      "Content-Length": Buffer.byteLength(reply.body),
    });
    res.end(reply.body);
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new Error(`can't listen to the monitor port: ${err.message}`));
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  bound = { host: opts.host, port: addr.port };
  server.on("error", (err) => log.error("monitoring: listener failed", { err: String(err) }));

  let closing: Promise<void> | null = null;
  return {
    address: bound,
    configLoaded(at = Date.now()) {
      configLoadTime = at;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
