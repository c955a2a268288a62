/**
 * `npm run demo:agent -- --to <human mail_id>`: an agent over real NATS TCP that announces
 * its skills, asks the human for approval and acts on the answer — the whole console loop
 * in a minute. See USAGE in demo/args.ts. Exit status: 0 every request answered, 1 not
 * (or the broker refused / could not be reached), 2 bad command line.
 */
import { connect, type NatsConnection } from "nats";
import { Mq9Client } from "../../lib/mq9/mod";
import { codeOf, runAgent } from "./demo/agent";
import { parseAgentArgs, USAGE } from "./demo/args";
import { reporter } from "./demo/events";

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function main(): Promise<void> {
  const parsed = parseAgentArgs(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(USAGE + "\n");
    return;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`demo-agent: ${parsed.message}\n(--help shows the usage)\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const args = parsed.args;
  const emit = reporter({ json: args.json, name: args.name });

  let nc: NatsConnection;
  try {
    nc = await connect({ servers: args.server, name: `demo-agent ${args.name}`, timeout: 5000 });
  } catch (err) {
    emit({
      event: "error",
      message: `cannot connect to ${args.server}: ${(err as Error).message}`,
    });
    process.exitCode = EXIT_FAILED;
    return;
  }
  emit({ event: "connected", server: args.server });

  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  let closedUnderUs = true;
  void nc.closed().then((err) => {
    if (!closedUnderUs) return;
    emit({ event: "error", message: `connection closed${err ? `: ${err.message}` : ""}` });
    stop();
  });

  try {
    const outcome = await runAgent(new Mq9Client(nc), args, emit, stopped);
    emit({ event: "done", ...outcome });
    if (outcome.unanswered > 0 && !args.loop) process.exitCode = EXIT_FAILED;
  } catch (err) {
    emit({ event: "error", message: (err as Error).message, ...codeOf(err) });
    process.exitCode = EXIT_FAILED;
  } finally {
    closedUnderUs = false;
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
  }
}

await main();
