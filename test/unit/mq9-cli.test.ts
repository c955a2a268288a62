/** The `mq9` command line's parser (server/cli/mq9-args.ts): commands, options, usage errors. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_SERVER, parseCli } from "../../server/cli/mq9-args";

const parse = (args: string[], env: Record<string, string> = {}) => parseCli(args, env);

describe("mq9 command line: parsing", () => {
  it("parses every command with its options", () => {
    assert.deepEqual(
      parse(["create", "--type", "latest", "--ttl", "60", "--prefix", "m-status-"]),
      {
        kind: "run",
        common: { server: DEFAULT_SERVER, json: false, timeout: 5000 },
        command: { name: "create", type: "latest", ttl: 60, prefix: "m-status-" },
      },
    );
    const send = parse([
      "send",
      "m-a",
      "hi",
      "--priority",
      "urgent",
      "--header",
      "A: 1",
      "--header",
      "B:x:y",
    ]);
    assert.equal(send.kind, "run");
    assert.deepEqual(send.kind === "run" && send.command, {
      name: "send",
      mailId: "m-a",
      payload: "hi",
      priority: "urgent",
      headers: [
        ["A", "1"],
        ["B", "x:y"],
      ],
    });
    const q = parse([
      "query",
      "m-a",
      "--token",
      "t",
      "--limit",
      "5",
      "--after",
      "0",
      "--peek",
      "--json",
    ]);
    assert.deepEqual(q.kind === "run" && q.command, {
      name: "query",
      mailId: "m-a",
      token: "t",
      limit: 5,
      after: 0,
      peek: true,
    });
    assert.equal(q.kind === "run" && q.common.json, true);
    const sub = parse(["sub", "m-a", "--count", "3", "--server", "nats://h:1", "--timeout", "90"]);
    assert.deepEqual(sub.kind === "run" && sub, {
      kind: "run",
      common: { server: "nats://h:1", json: false, timeout: 90 },
      command: { name: "sub", mailId: "m-a", count: 3 },
    });
    const worker = parse(["sub", "m-a", "--queue", "workers", "--priority", "urgent"]);
    assert.deepEqual(worker.kind === "run" && worker.command, {
      name: "sub",
      mailId: "m-a",
      priority: "urgent",
      queue: "workers",
    });
    const bc = parse(["broadcast", "task", "available", "-"]);
    assert.deepEqual(bc.kind === "run" && bc.command, {
      name: "broadcast",
      domain: "task",
      event: "available",
      payload: "-",
      headers: [],
    });
    assert.deepEqual(parse(["delete", "m-a", "--token", "t"]).kind, "run");
    assert.deepEqual(parse(["create", "--help"]), { kind: "help" });
  });

  it("takes the server from MQ9_SERVER unless --server is given", () => {
    const env = { MQ9_SERVER: "nats://env:4" };
    const a = parse(["create"], env);
    assert.equal(a.kind === "run" && a.common.server, "nats://env:4");
    const b = parse(["create", "--server", "nats://flag:5"], env);
    assert.equal(b.kind === "run" && b.common.server, "nats://flag:5");
  });

  it("refuses bad command lines with a message", () => {
    const cases: [string[], RegExp][] = [
      [[], /no command/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["create", "--type", "newest"], /--type is standard or latest/],
      [["create", "--name", "a", "--prefix", "b"], /not both/],
      [["create", "--ttl", "-1"], /Unknown option|--ttl/],
      [["create", "--ttl", "1.5"], /--ttl wants a whole number/],
      [["create", "extra"], /create takes no arguments/],
      [["send", "m-x"], /send takes <mail_id> <payload>/],
      [["send", "M-X", "p"], /not a mail_id/],
      [["send", "m-x", "p", "--priority", "high"], /urgent, normal or notify/],
      [["send", "m-x", "p", "--header", "no-colon"], /KEY:VALUE/],
      [["send", "m-x", "p", "--header", "a b:c"], /invalid header name/],
      [["send", "m-x", "p", "--token", "t"], /send does not take --token/],
      [["query", "m-x"], /--token is required/],
      [
        ["query", "m-x", "--token", "t", "--limit", "0"],
        /--limit wants a whole number of at least 1/,
      ],
      [["delete", "m-x", "--token", "t", "--peek"], /delete does not take --peek/],
      [["broadcast", "a.b", "c", "d"], /invalid broadcast domain/],
      [["broadcast", "a", "*", "d"], /invalid broadcast event/],
      [["sub", "m-x", "--count", "0"], /--count/],
      [["create", "--timeout", "0"], /--timeout/],
      [["create", "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = parse(args);
      assert.equal(r.kind, "error", args.join(" "));
      assert.match(r.kind === "error" ? r.message : "", message, args.join(" "));
    }
  });
});
