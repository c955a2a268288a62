/**
 * The reaper's pacing (server/mq9/reaper.ts): while live traffic flows it takes about a
 * quarter of the event loop, and otherwise reaps step after step.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { Reaper, type ReapingStore } from "../../server/mq9/reaper";

const STEPS = 60;
const STEP_MS = 2;

/** How much of the wall time `STEPS` steps of `STEP_MS` each took, with traffic or not. */
async function share(busy: boolean): Promise<number> {
  let steps = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const store: ReapingStore = {
    reapingMailboxes: () => ["m-x"],
    writer: { afterPending: (fn) => fn() },
    reapStep: () => {
      const until = performance.now() + STEP_MS;
      while (performance.now() < until);
      if (++steps < STEPS) return [];
      done();
      return null;
    },
  };
  const reaper = new Reaper(store, () => busy);
  const started = performance.now();
  reaper.start();
  await finished;
  reaper.stop();
  return (STEPS * STEP_MS) / (performance.now() - started);
}

it("leaves most of the event loop to live traffic, and reaps back to back otherwise", async () => {
  const withTraffic = await share(true);
  const without = await share(false);
  // Paced, a step of 2 ms is followed by 6 ms of pause: a quarter.
  assert.ok(withTraffic < 0.4, `with traffic reaping took ${withTraffic.toFixed(2)} of the loop`);
  assert.ok(without > 0.6, `without traffic reaping took ${without.toFixed(2)} of the loop`);
});
