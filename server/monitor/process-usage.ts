/**
 * `mem` and `cpu` for /varz. nats-server reads /proc once a second and reports the CPU
 * used over the last window as a percentage of one core with one decimal (pse_linux.go);
 * we sample when asked instead of on a timer, over the time since the previous sample
 * (at least a second, so two requests in a row do not report a meaningless 0).
 */
const MIN_WINDOW_MS = 1000;

export interface ProcessUsage {
  /** Resident set size, bytes. */
  rss: number;
  /** Percent of one core, one decimal; above 100 when several threads were busy. */
  cpu: number;
}

export class UsageSampler {
  private lastAt: number;
  private lastCpu: NodeJS.CpuUsage;
  private pcpu: number;

  constructor() {
    // The first window is the process's life so far.
    this.lastAt = Date.now() - process.uptime() * 1000;
    this.lastCpu = { user: 0, system: 0 };
    this.pcpu = 0;
    this.sample();
  }

  sample(now = Date.now()): ProcessUsage {
    const elapsed = now - this.lastAt;
    if (elapsed >= MIN_WINDOW_MS) {
      const cpu = process.cpuUsage();
      const usedMicros = cpu.user + cpu.system - this.lastCpu.user - this.lastCpu.system;
      this.pcpu = Math.round((usedMicros / 1000 / elapsed) * 1000) / 10;
      this.lastAt = now;
      this.lastCpu = cpu;
    }
    return { rss: process.memoryUsage.rss(), cpu: this.pcpu };
  }
}
