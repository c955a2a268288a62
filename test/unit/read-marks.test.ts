/**
 * How read marks are grouped for the store (server/mq9/read-marks.ts): a block all of
 * whose messages are marked goes by its id; part of a block, or messages read without
 * their block, go by msg_id; a message marked twice counts once.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { ReadMarks, type MessageKey } from "../../server/mq9/read-marks";
import type { Mailbox } from "../../server/mq9/mailboxes";
import type { MessageWriter, StoredBlock } from "../../server/store/message-writer";
import type { Logger } from "../../server/nats/mod";

const box: Mailbox = {
  mailId: "m-marks",
  type: "standard",
  tokenHash: "",
  createdAt: 0,
  expiresAt: null,
  ttl: 0,
  stored: 0,
  bytes: 0,
  unread: 0,
};

function take(keys: MessageKey[]) {
  const writer: MessageWriter = {
    write: () => {},
    afterPending: (fn) => fn(),
    close: () => Promise.resolve(),
  };
  const marks = new ReadMarks(writer, () => true, {} as Logger);
  marks.later(new Map([[box, keys]]));
  return marks.take().groups;
}

it("marks whole blocks by id, and the rest by msg_id", () => {
  const whole: StoredBlock = { id: 7, first: 10, count: 2 };
  const part: StoredBlock = { id: 8, first: 20, count: 3 };
  const groups = take([
    { priority: 1, msgId: 10, block: whole },
    { priority: 1, msgId: 11, block: whole },
    // Handed to two owner subscriptions: still one of the block's three.
    { priority: 1, msgId: 20, block: part },
    { priority: 1, msgId: 20, block: part },
    { priority: 1, msgId: 21, block: part },
    // Read without its block (a replay from before blocks were known).
    { priority: 0, msgId: 30 },
  ]);
  assert.deepEqual(
    groups.map((g) => ({ priority: g.priority, blocks: g.blocks, msgIds: [...g.msgIds].sort() })),
    [
      { priority: 0, blocks: [], msgIds: [30] },
      { priority: 1, blocks: [{ id: 7, first: 10 }], msgIds: [20, 21] },
    ],
  );
});
