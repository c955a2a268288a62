/**
 * Preloaded (`--import`) into the broker process started for the idle-mailbox row only:
 * SIGWINCH runs a full garbage collection and writes `process.memoryUsage()` as JSON to
 * $MQ9_BENCH_MEM_FILE, so mq9gen can tell live heap from RSS. Needs `--expose-gc`; the
 * broker's own code is untouched. SIGWINCH because the broker itself answers SIGUSR1 (log
 * reopen) and SIGUSR2 (lame duck mode), as nats-server does.
 */
import fs from "node:fs";

const collect = (globalThis as { gc?: () => void }).gc;
const file = process.env.MQ9_BENCH_MEM_FILE;
if (collect !== undefined) {
  process.on("SIGWINCH", () => {
    collect();
    if (file) fs.writeFileSync(file, JSON.stringify(process.memoryUsage()));
  });
}
