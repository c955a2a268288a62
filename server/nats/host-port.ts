/** `host:port` as Go's net package writes and reads it: IPv6 literals in brackets. */
import os from "node:os";

export type Interfaces = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

export interface HostPort {
  host: string;
  port: number;
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Go's net.SplitHostPort, the port as a signed integer as written (nats-server reads -1
 * as "any free port" and 0 as "off"); null when it is not `host:port`.
 */
export function splitHostPort(s: string): HostPort | null {
  let host: string;
  let portText: string;
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    if (end < 0 || s.charAt(end + 1) !== ":") return null;
    host = s.slice(1, end);
    portText = s.slice(end + 2);
  } else {
    const colon = s.lastIndexOf(":");
    if (colon < 0 || s.indexOf(":") !== colon) return null;
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
  }
  if (!/^[+-]?\d+$/.test(portText)) return null;
  return { host, port: Number(portText) };
}

/**
 * Where a listener bound to `host` can be reached: its own address, or for an unspecified
 * one (0.0.0.0, ::) every interface's address, loopback ones only if `loopback` (the
 * ports file lists them, client connect URLs do not: server.go resolveHostPorts,
 * getNonLocalIPsIfHostIsIPAny). Falls back to `host` when no interface qualifies.
 */
export function reachableHosts(
  host: string,
  loopback: boolean,
  interfaces: Interfaces = os.networkInterfaces(),
): string[] {
  if (host !== "0.0.0.0" && host !== "::") return [host];
  const hosts = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => loopback || !i.internal)
    .map((i) => i.address);
  return hosts.length > 0 ? hosts : [host];
}
