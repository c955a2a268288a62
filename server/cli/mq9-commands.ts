/** The `mq9` commands, each over the client module (lib/mq9) on one NATS connection. */
import type { NatsConnection } from "nats";
import { Mq9Client } from "../../lib/mq9/mod";
import type { Command } from "./mq9-args";
import {
  createdJson,
  createdText,
  messageJson,
  messageText,
  queryJson,
  queryText,
} from "./mq9-output";

export interface Io {
  out(line: string): void;
  /** Progress for people, on stderr, so stdout stays clean for pipes. */
  note(line: string): void;
  stdin(): Promise<Uint8Array>;
  /** Resolves when the user asks to stop (Ctrl-C). */
  interrupted: Promise<void>;
}

async function payload(raw: string, io: Io): Promise<Uint8Array | string> {
  return raw === "-" ? io.stdin() : raw;
}

export async function run(
  nc: NatsConnection,
  command: Command,
  json: boolean,
  timeout: number,
  io: Io,
): Promise<void> {
  const mq9 = new Mq9Client(nc, { timeout });
  switch (command.name) {
    case "create": {
      const box = await mq9.create({
        type: command.type,
        ttl: command.ttl,
        name: command.mailName,
        prefix: command.prefix,
      });
      io.out(json ? createdJson(box) : createdText(box));
      return;
    }
    case "send": {
      const body = await payload(command.payload, io);
      // check: the broker's error (not_found, mailbox_full, …) comes back to us (§4.4).
      await mq9.send(command.mailId, body, {
        priority: command.priority,
        headers: command.headers,
        check: true,
      });
      const subject = `$mq9.AI.INBOX.${command.mailId}.${command.priority}`;
      io.out(json ? JSON.stringify({ subject, stored: true }) : `stored: ${subject}`);
      return;
    }
    case "sub": {
      const sub = mq9.subscribe(command.mailId, {
        priority: command.priority,
        queue: command.queue,
      });
      await nc.flush();
      io.note(`listening on ${sub.subject} (Ctrl-C to stop)`);
      void io.interrupted.then(() => sub.unsubscribe());
      let seen = 0;
      for await (const m of sub) {
        io.out(json ? JSON.stringify(messageJson(m)) : messageText(m));
        if (command.count !== undefined && ++seen >= command.count) break;
      }
      return;
    }
    case "query": {
      const r = await mq9.query(command.mailId, command.token, {
        limit: command.limit,
        after: command.after,
        peek: command.peek,
      });
      io.out(json ? queryJson(r) : queryText(r));
      return;
    }
    case "delete": {
      await mq9.delete(command.mailId, command.token);
      io.out(
        json
          ? JSON.stringify({ mail_id: command.mailId, deleted: true })
          : `deleted ${command.mailId}`,
      );
      return;
    }
    case "broadcast": {
      const body = await payload(command.payload, io);
      mq9.broadcast(command.domain, command.event, body, { headers: command.headers });
      await nc.flush();
      const subject = `$mq9.AI.BROADCAST.${command.domain}.${command.event}`;
      io.out(json ? JSON.stringify({ subject }) : `broadcast: ${subject}`);
      return;
    }
  }
}
