/** Linux /proc readings for the benchmark: memory of a process, and finding our child processes. */
import fs from "node:fs";

/** A `Vm*` field of /proc/<pid>/status in kB, or undefined once the process is gone. */
export function readStatusKb(pid: number, field: "VmHWM" | "VmRSS"): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Pids of this process's direct children whose command name is `comm`. */
export function childPids(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid ..."; comm may contain spaces, so split at the last ')'.
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const ppid = Number(stat.slice(close + 2).split(" ")[1]);
    if (name === comm && ppid === process.pid) pids.push(Number(entry));
  }
  return pids;
}

/** One line about the CPU, for the report. */
export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"));
    return m?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
