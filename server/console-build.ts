/**
 * Makes `npm start` work on a fresh clone: builds the Next.js console when there is no
 * production build, or when a console source is newer than it.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Logger } from "./log";

/** What the console bundle is made from; a change in any of these asks for a rebuild. */
export const CONSOLE_SOURCES = [
  "app",
  "components",
  "lib",
  "next.config.ts",
  "postcss.config.mjs",
  "server/runtime.ts",
  "server/status.ts",
  // Route handlers reach into these (answers, the agents index, the store's schema).
  "server/console",
  "server/mq9",
  "server/store",
];

function newestMtime(p: string): { file: string; mtimeMs: number } | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return null;
  }
  if (!st.isDirectory()) return { file: p, mtimeMs: st.mtimeMs };
  let best: { file: string; mtimeMs: number } | null = null;
  for (const name of fs.readdirSync(p)) {
    const sub = newestMtime(path.join(p, name));
    if (sub && (!best || sub.mtimeMs > best.mtimeMs)) best = sub;
  }
  return best;
}

/**
 * Where `next build` writes, relative to the project: `.next`, or `MQ9_NEXT_DIST` so that
 * several checkouts' builds (or a build and a dev server) do not overwrite each other.
 * next.config.ts reads the same variable.
 */
export function consoleDistDir(): string {
  return process.env.MQ9_NEXT_DIST || ".next";
}

/** `MQ9_CONSOLE_DEV=1`: Next's dev server (rebuilds on change) instead of a production build. */
export function consoleDevMode(): boolean {
  return process.env.MQ9_CONSOLE_DEV === "1";
}

/** Why a build is needed, or null when the build directory is current. */
export function staleBuildReason(root: string): string | null {
  let built: number;
  const dist = consoleDistDir();
  try {
    built = fs.statSync(path.join(root, dist, "BUILD_ID")).mtimeMs;
  } catch {
    return `no production build (${dist}/BUILD_ID is missing)`;
  }
  for (const src of CONSOLE_SOURCES) {
    const newest = newestMtime(path.join(root, src));
    if (newest && newest.mtimeMs > built) {
      return `${path.relative(root, newest.file)} is newer than the build`;
    }
  }
  return null;
}

/** Runs `next build` with its output streamed to our stderr; rejects if it fails. */
export async function ensureConsoleBuild(root: string, log: Logger): Promise<void> {
  if (consoleDevMode()) return;
  const reason = staleBuildReason(root);
  if (!reason) return;
  log.info(`Building the console: ${reason} (next build, this takes a while)`);
  const nextBin = createRequire(path.join(root, "package.json")).resolve("next/dist/bin/next");
  const started = Date.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, "build"], {
      cwd: root,
      // Logs go to stderr; so does the build's output, so stdout stays clean.
      stdio: ["ignore", 2, 2],
      env: { NEXT_TELEMETRY_DISABLED: "1", ...process.env, NODE_ENV: "production" },
    });
    // A signal that stops us mid-build must not leave the build running on its own.
    const killChild = () => child.kill("SIGTERM");
    process.once("exit", killChild);
    child.once("error", reject);
    child.once("exit", (c) => {
      process.off("exit", killChild);
      resolve(c);
    });
  });
  if (code !== 0) throw new Error(`next build failed (exit code ${code})`);
  log.info(`Console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
