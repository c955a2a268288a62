/**
 * The ports file test harnesses wait for (`ports_file_dir`, `--ports_file_dir`):
 * `<dir>/<program>_<pid>.ports` holding where each listener can be reached, in
 * nats-server 2.9.10's shape (server.go Ports, portFile, formatURL):
 * `{"nats":["nats://127.0.0.1:4222"],"websocket":["ws://127.0.0.1:8080"]}`.
 * Keys without a listener are left out, as Go's `omitempty` does.
 */
import fs from "node:fs";
import path from "node:path";
import { joinHostPort, reachableHosts, type Interfaces } from "./nats/host-port";

/** Field order as nats-server marshals it; profile never applies here. */
export interface Ports {
  nats?: string[];
  monitoring?: string[];
  cluster?: string[];
  websocket?: string[];
}

export interface BoundAddress {
  host: string;
  port: number;
}

/** `<dir>/<program>_<pid>.ports`; nats-server names it after its executable's base name. */
export function portsFilePath(dir: string, program: string, pid = process.pid): string {
  return path.join(dir, `${program}_${pid}.ports`);
}

/**
 * A listener on an unspecified address (0.0.0.0, ::) is listed once per interface
 * address, as nats-server's resolveHostPorts does; otherwise its own address.
 */
export function listenerUrls(
  scheme: string,
  address: BoundAddress,
  interfaces?: Interfaces,
): string[] {
  return reachableHosts(address.host, true, interfaces).map(
    (h) => `${scheme}://${joinHostPort(h, address.port)}`,
  );
}

export function portsJson(ports: Ports): string {
  const out: Ports = {};
  if (ports.nats?.length) out.nats = ports.nats;
  if (ports.monitoring?.length) out.monitoring = ports.monitoring;
  if (ports.cluster?.length) out.cluster = ports.cluster;
  if (ports.websocket?.length) out.websocket = ports.websocket;
  return JSON.stringify(out);
}

/**
 * Written whole under a temporary name and renamed, so a harness polling for the file
 * never reads half of it (nats-server writes in place).
 */
export function writePortsFile(file: string, ports: Ports): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, portsJson(ports), { mode: 0o666 });
  fs.renameSync(tmp, file);
}

/** Removes the file on the way out; one already gone is fine. Throws on other errors. */
export function removePortsFile(file: string): void {
  fs.rmSync(file, { force: true });
}
