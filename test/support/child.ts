/** Starting and measuring a broker child process (test/support/broker-child.ts). */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { BrokerConfig } from "../../server/nats/mod";
import { stopChild } from "./nats-server";

export interface ChildBroker {
  port: number;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const ENTRY = path.join(import.meta.dirname, "broker-child.ts");

export async function startChildBroker(config: BrokerConfig = {}): Promise<ChildBroker> {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`broker child exited with ${code}`)));
  });
  return { port, pid: child.pid!, child, stop: () => stopChild(child) };
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}
