/**
 * `-sl/--signal <command>[=<pid>]` (nats-server opts.go processSignal, signal.go
 * ProcessSignal): sends a running server the signal for `command` and exits. The pid may
 * be given as a pid file. nats-server finds a lone server by its process name when no pid
 * is given; ours runs as `node`, so the pid is required.
 */

/** nats-server's commands and the signals they send. */
const COMMANDS: Readonly<Record<string, NodeJS.Signals>> = {
  stop: "SIGKILL",
  quit: "SIGINT",
  reopen: "SIGUSR1",
  reload: "SIGHUP",
  ldm: "SIGUSR2",
  term: "SIGTERM",
};

export type SignalCommand =
  { ok: true; pid: number; signal: NodeJS.Signals } | { ok: false; message: string };

/**
 * `readPidFile` returns a file's text, or null when there is no such file to read (then
 * the text after `=` is the pid itself, as in nats-server maybeReadPidFile).
 */
export function parseSignalCommand(
  text: string,
  readPidFile: (name: string) => string | null,
): SignalCommand {
  const parts = text.split("=");
  if (parts.length > 2) {
    return { ok: false, message: `invalid signal parameters: [${parts.slice(2).join(" ")}]` };
  }
  const [command = "", pidText] = parts;
  const signal = COMMANDS[command];
  if (signal === undefined) return { ok: false, message: `unknown signal "${command}"` };
  if (pidText === undefined) {
    return { ok: false, message: `no pid given: use --signal ${command}=<pid or pid file>` };
  }
  const raw = (readPidFile(pidText) ?? pidText).trim();
  // strconv.Atoi: an optional sign and decimal digits, nothing around them.
  if (!/^[+-]?\d+$/.test(raw)) return { ok: false, message: `invalid pid: ${raw}` };
  const pid = Number(raw);
  if (!Number.isSafeInteger(pid) || pid <= 0) return { ok: false, message: `invalid pid: ${raw}` };
  return { ok: true, pid, signal };
}
