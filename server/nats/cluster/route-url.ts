/**
 * Route URLs, `nats-route://[user[:pass]@]host:port` (or `nats://`): configured routes
 * (`cluster.routes`, `--routes`) and those gossiped in INFO's `ip`. opts.go parseURL /
 * RoutesFromStr, with the checks nats-server only makes when it dials (a port, a known
 * scheme) made up front.
 */
import { splitHostPort } from "../host-port";
import type { RouteUrl } from "./options";

const SCHEMES = ["nats-route", "nats"];

export interface SplitUrl {
  scheme: string;
  /** As written (still percent-encoded), for display. */
  userRaw: string | null;
  user: string | null;
  pass: string | null;
  /** `host:port` as written. */
  hostPort: string;
}

/** `scheme://[user[:pass]@]host:port[/…]`, split the way Go's url.Parse splits an authority. */
export function splitUrl(text: string): SplitUrl | string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/.exec(text);
  if (!m) return "missing the nats-route:// or nats:// scheme";
  const scheme = (m[1] as string).toLowerCase();
  if (!SCHEMES.includes(scheme)) {
    return `unsupported scheme ${JSON.stringify(`${scheme}://`)} (nats-route:// or nats://)`;
  }
  const authority = m[2] as string;
  const at = authority.lastIndexOf("@");
  const hostPort = authority.slice(at + 1);
  if (at < 0) return { scheme, userRaw: null, user: null, pass: null, hostPort };
  const userInfo = authority.slice(0, at);
  const colon = userInfo.indexOf(":");
  const userRaw = colon < 0 ? userInfo : userInfo.slice(0, colon);
  try {
    const user = decodeURIComponent(userRaw);
    const pass = colon < 0 ? null : decodeURIComponent(userInfo.slice(colon + 1));
    return { scheme, userRaw, user: user === "" ? null : user, pass, hostPort };
  } catch {
    return "bad percent-encoding in the user or password";
  }
}

/** For messages: a URL with its password replaced as nats-server's redaction does. */
export function redactUrl(text: string): string {
  const m = /^(\s*[^:/?#]+:\/\/)([^/?#]*)/.exec(text);
  if (!m) return text;
  const [, scheme = "", authority = ""] = m;
  const at = authority.lastIndexOf("@");
  const colon = authority.indexOf(":");
  if (at < 0 || colon < 0 || colon > at) return text;
  return `${scheme}${authority.slice(0, colon)}:xxxxx${text.slice(scheme.length + at)}`;
}

/** A route to solicit (cluster.routes, --routes); the reason when it is not one. */
export function parseRouteUrl(text: string): RouteUrl | string {
  const s = splitUrl(text.trim());
  if (typeof s === "string") return s;
  const hp = splitHostPort(s.hostPort);
  if (!hp) return "no port (a route needs host:port)";
  if (hp.host === "") return "no host";
  if (/\s/.test(hp.host)) return "bad host";
  if (hp.port < 1 || hp.port > 65535) return `port ${hp.port} is out of range (1 to 65535)`;
  const user = s.userRaw !== null ? `${s.userRaw}@` : "";
  return {
    host: hp.host,
    port: hp.port,
    user: s.user,
    pass: s.pass,
    display: `${s.scheme}://${user}${s.hostPort}`,
  };
}
