/**
 * Preloaded (`--import`) into the broker process started for the idle-mailbox row only:
 * SIGUSR2 runs a full garbage collection and writes `process.memoryUsage()` as JSON to
 * $MQ9_BENCH_MEM_FILE, so mq9gen can tell live heap from RSS. Needs `--expose-gc`; the
 * broker's own code is untouched.
 */
import fs from "node:fs";

const collect = (globalThis as { gc?: () => void }).gc;
const file = process.env.MQ9_BENCH_MEM_FILE;
if (collect !== undefined) {
  process.on("SIGUSR2", () => {
    collect();
    if (file) fs.writeFileSync(file, JSON.stringify(process.memoryUsage()));
  });
}
