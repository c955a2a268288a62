/**
 * The pacer (server/mq9/pacer.ts) runs queued jobs in slices of a few ms per turn of the
 * event loop, in order, so other work (the broker reading its clients) runs between them.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { Pacer } from "../../server/mq9/pacer";

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

it("runs jobs in order, a few ms per turn, letting other work in between", async () => {
  const pacer = new Pacer();
  // Other work: a callback every turn of the event loop, counting turns.
  let turn = 0;
  let ticking = true;
  const tick = () => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const ran: { job: number; turn: number }[] = [];
  const done = new Promise<void>((resolve) => {
    for (let job = 0; job < 20; job++) {
      pacer.run(() => {
        ran.push({ job, turn });
        spin(2);
        if (job === 19) resolve();
      });
    }
  });
  await done;
  ticking = false;
  assert.deepEqual(
    ran.map((r) => r.job),
    Array.from({ length: 20 }, (_, i) => i),
    "in order",
  );
  const perTurn = new Map<number, number>();
  for (const r of ran) perTurn.set(r.turn, (perTurn.get(r.turn) ?? 0) + 1);
  // 2 ms jobs in 5 ms slices: three at most in one turn (the third starts before 5 ms).
  assert.ok(Math.max(...perTurn.values()) <= 3, `jobs per turn: ${[...perTurn.values()]}`);
  assert.ok(perTurn.size >= 7, `spread over ${perTurn.size} turns`);
});

it("a job queued by a job waits for a later turn; spent is true outside a slice", async () => {
  const pacer = new Pacer();
  assert.equal(pacer.spent, true);
  const order: string[] = [];
  await new Promise<void>((resolve) => {
    pacer.run(() => {
      order.push("first");
      assert.equal(pacer.spent, false);
      pacer.run(() => {
        order.push("queued by first");
        resolve();
      });
    });
    pacer.run(() => order.push("second"));
  });
  assert.deepEqual(order, ["first", "second", "queued by first"]);
});
