/**
 * Builds the console once before the run, through the same path `npm start` takes
 * (server/console-build.ts: only when the build is missing or stale), so that no test pays
 * for a build and every server the fixtures start serves the same bundle.
 * With MQ9_CONSOLE_DEV=1 the servers run Next's dev server instead and nothing is built.
 */
import { ensureConsoleBuild } from "../../server/console-build";
import { createLogger } from "../../server/log";
import { ROOT } from "./paths";

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  await ensureConsoleBuild(ROOT, createLogger({ logtime: false }));
  const took = Date.now() - started;
  if (took > 1000) process.stderr.write(`e2e: console built in ${(took / 1000).toFixed(1)} s\n`);
}
