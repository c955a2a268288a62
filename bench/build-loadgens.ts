/**
 * Compiles the load generators into bench/build/ when missing or older than their source:
 * loadgen (C, libnats) for TCP workloads, mq9gen (C, libnats) for the mq9 rows, wsloadgen
 * (Go, Debian's nats.go in GOPATH mode) for WebSocket, since Debian's nats.c 3.4.1 has no
 * WebSocket transport.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const BENCH_DIR = path.dirname(new URL(import.meta.url).pathname);
export const BUILD_DIR = path.join(BENCH_DIR, "build");

function stale(binary: string, source: string): boolean {
  if (!fs.existsSync(binary)) return true;
  return fs.statSync(binary).mtimeMs < fs.statSync(source).mtimeMs;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, {
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();
}

/** Path of a C load generator (`loadgen`, `mq9gen`), built if needed. Throws with the compiler's output on failure. */
export function buildCLoadgen(name: "loadgen" | "mq9gen"): string {
  const source = path.join(BENCH_DIR, `${name}.c`);
  const binary = path.join(BUILD_DIR, name);
  if (!stale(binary, source)) return binary;
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const flags = run("pkg-config", ["--cflags", "--libs", "libnats"]).split(/\s+/).filter(Boolean);
  process.stderr.write(`building bench/build/${name} (gcc, libnats)\n`);
  run("gcc", ["-O2", "-Wall", "-o", binary, source, ...flags]);
  return binary;
}

export const buildLoadgen = (): string => buildCLoadgen("loadgen");

/** Path of the Go WebSocket load generator, or the reason it cannot be built. */
export function buildWsLoadgen(): { binary: string } | { error: string } {
  const source = path.join(BENCH_DIR, "wsloadgen.go");
  const binary = path.join(BUILD_DIR, "wsloadgen");
  if (!stale(binary, source)) return { binary };
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Offline, against the Debian-packaged sources (golang-github-nats-io-go-nats-dev).
    GOPATH: `${path.join(BUILD_DIR, "gopath")}:/usr/share/gocode`,
    GO111MODULE: "off",
    GOPROXY: "off",
    GOFLAGS: "",
    GOCACHE: process.env.GOCACHE ?? path.join(BUILD_DIR, "go-cache"),
  };
  process.stderr.write("building bench/build/wsloadgen (go, Debian nats.go)\n");
  try {
    run("go", ["build", "-o", binary, source], env);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { error: (err.stderr || err.message).trim() };
  }
  return { binary };
}
