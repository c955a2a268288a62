/**
 * `mq9`: mailboxes from the shell (`npm run mq9 -- create --ttl 60`). See USAGE in
 * mq9-args.ts. Exit status: 0 done, 1 the broker refused or could not be reached (the mq9
 * error code is printed), 2 bad command line.
 */
import { connect, type NatsConnection } from "nats";
import { Mq9RequestError, Mq9TimeoutError } from "../../lib/mq9/mod";
import { parseCli, USAGE } from "./mq9-args";
import { run, type Io } from "./mq9-commands";

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function fail(message: string, code: number): void {
  process.stderr.write(`mq9: ${message}\n`);
  process.exitCode = code;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** The NATS clients' errors carry a string code (TIMEOUT, CONNECTION_REFUSED, …). */
function natsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

async function main(): Promise<void> {
  const parsed = parseCli(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (parsed.kind === "error") {
    fail(`${parsed.message}\n(mq9 --help shows the usage)`, EXIT_USAGE);
    return;
  }
  const { common, command } = parsed;

  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: common.server,
      timeout: common.timeout,
      reconnect: false,
      name: "mq9-cli",
    });
  } catch (err) {
    fail(`cannot connect to ${common.server}: ${(err as Error).message}`, EXIT_FAILED);
    return;
  }

  let stop: () => void = () => {};
  const interrupted = new Promise<void>((resolve) => (stop = resolve));
  // Only `sub` runs until stopped; elsewhere Ctrl-C keeps its usual meaning.
  if (command.name === "sub") {
    process.once("SIGINT", () => {
      stop();
      // A second Ctrl-C does not wait for anything.
      process.once("SIGINT", () => process.exit(130));
    });
  }
  const io: Io = {
    out: (line) => process.stdout.write(line + "\n"),
    note: (line) => process.stderr.write(line + "\n"),
    stdin: readStdin,
    interrupted,
  };

  try {
    await run(nc, command, common.json, common.timeout, io);
  } catch (err) {
    if (err instanceof Mq9RequestError) fail(`${err.code}: ${err.message}`, EXIT_FAILED);
    else if (err instanceof Mq9TimeoutError) fail(err.message, EXIT_FAILED);
    else if (natsCode(err) === "TIMEOUT") {
      fail(`no answer from ${common.server} within ${common.timeout} ms`, EXIT_FAILED);
    } else fail((err as Error).message, EXIT_FAILED);
  } finally {
    await nc.close();
  }
}

await main();
