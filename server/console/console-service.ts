/**
 * The server side of the console, in the broker's process: its own in-process NATS
 * connection with the typed mq9 client, the agents index and the answer book. Started
 * with the broker (before the console is built or served), so the agents index misses no
 * announcement; stopped before it.
 */
import { Mq9Client } from "../../lib/mq9/mod";
import type { Logger } from "../nats/mod";
import type { Mq9Service } from "../mq9/service";
import type { Broker } from "../nats/mod";
import { ConsoleStore } from "../store/console-store";
import type { MailStore } from "../store/mail-store";
import { AgentsIndex } from "./agents-index";
import { AnswerBook } from "./answers";
import { MailboxSender } from "./mailbox-sender";
import { InternalConnection } from "./nats-connection";

export interface ConsoleServiceOptions {
  broker: Broker;
  mq9: Mq9Service;
  store: MailStore;
  log: Logger;
}

export class ConsoleService {
  readonly connection: InternalConnection;
  /** mq9 as the console server speaks it (re-sends, answers, the index's subscriptions). */
  readonly client: Mq9Client;
  readonly store: ConsoleStore;
  readonly agents: AgentsIndex;
  readonly answers: AnswerBook;
  /** Checked, confirmed sends into mailboxes without a reply subject (answers, re-sends). */
  readonly sender: MailboxSender;

  constructor(opts: ConsoleServiceOptions) {
    const { broker, mq9, log } = opts;
    this.connection = new InternalConnection(broker, "mq9-console");
    this.client = new Mq9Client(this.connection);
    this.store = new ConsoleStore(opts.store.db);
    this.agents = new AgentsIndex({
      client: this.client,
      store: this.store,
      log,
      mailboxExists: (id) => mq9.mailboxes.has(id),
    });
    this.sender = new MailboxSender(mq9, this.connection);
    this.answers = new AnswerBook({
      sender: this.sender,
      connection: this.connection,
      mq9,
      store: this.store,
      log,
    });
  }

  start(): void {
    this.agents.start();
  }

  stop(): void {
    this.agents.stop();
    this.connection.close();
  }
}
