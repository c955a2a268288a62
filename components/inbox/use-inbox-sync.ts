/**
 * Keeps the message store in step with the broker for every mailbox this browser owns:
 *
 * - one owner subscription per mailbox (mq9.md §6.1): the broker replays what is unread,
 *   urgent first, then live mail follows. Those messages are new to the human: they count
 *   as unseen until the mailbox is looked at, and urgent approval requests are announced;
 * - the open mailbox's history (already read in earlier sessions) comes from QUERY with
 *   `peek` (§7), a page at a time, so its first screen is there after the first page;
 * - answers from GET /api/inbox/answers, then live notices on `$mq9console.answered.<id>`;
 * - after a reconnect, QUERY and the answers again (§7: "the safety net after a reconnect").
 */
import { useEffect, useRef, useState } from "react";
import type { NatsConnection } from "nats.ws";
import {
  Mq9RequestError,
  isExpiredEvent,
  type Mq9Client,
  type Mq9Message,
  type Mq9Subscription,
} from "@/lib/mq9/mod";
import { useNats, useNatsReconnected } from "@/components/nats/nats-provider";
import { ANSWERED_PREFIX, answerFromNotice, fetchAnswers } from "./answers-api";
import { toInboxItem, type InboxItem } from "./inbox-item";
import { messageStore } from "./message-store";
import {
  addUnseen,
  clearUnseen,
  ownedState,
  pruneUnseen,
  updateMailbox,
  type OwnedMailbox,
} from "./owned-mailboxes";
import { announceUrgent } from "./urgent-alerts";

/** The first page is small so the first screen comes fast; later pages are QUERY's maximum. */
const FIRST_PAGE = 200;
const PAGE = 1000;

interface Watch {
  stop(): void;
  refreshAnswers(): void;
}

/** Whether the human is looking at this mailbox right now. */
function looking(mailId: string): boolean {
  return document.visibilityState === "visible" && ownedState().selected === mailId;
}

/** Arrivals of one mailbox, handed on once per tick rather than once per message. */
function arrivalBatcher(box: OwnedMailbox) {
  let batch: InboxItem[] = [];
  let queued = false;
  const flush = () => {
    queued = false;
    const items = batch;
    batch = [];
    messageStore.receive(box.mailId, items, box.type === "latest");
    if (!looking(box.mailId)) {
      addUnseen(
        box.mailId,
        items.map((i) => i.msgId),
      );
    }
    announceUrgent(items);
  };
  return (item: InboxItem) => {
    batch.push(item);
    if (!queued) {
      queued = true;
      setTimeout(flush, 16);
    }
  };
}

/**
 * Opens when the open mailbox's first QUERY page is in (or after FIRST_SCREEN_WAIT). Owner
 * subscriptions wait for it: their replay of thousands of unread messages would otherwise
 * queue on the one socket in front of that page, and the first screen with it. Waiting
 * loses nothing: what arrives meanwhile stays unread, so the replay brings it (§6.1).
 */
interface Gate {
  opened: Promise<void>;
  open(): void;
}

const FIRST_SCREEN_WAIT = 1500;

function gate(): Gate {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  setTimeout(open, FIRST_SCREEN_WAIT);
  return { opened, open };
}

function watchMailbox(
  nc: NatsConnection,
  mq9: Mq9Client,
  box: OwnedMailbox,
  firstScreen: Promise<void>,
): Watch {
  let stopped = false;
  const arrive = arrivalBatcher(box);
  let sub: Mq9Subscription<Mq9Message> | null = null;
  void firstScreen.then(async () => {
    if (stopped) return;
    const s = (sub = mq9.subscribe(box.mailId));
    try {
      for await (const m of s) arrive(toInboxItem(m));
    } catch (err) {
      // Only a non-mq9 server omits the headers; say so once, never the payload.
      if (!stopped) console.error(`mq9 inbox: subscription to ${box.mailId} ended:`, err);
    }
  });

  let answersTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshAnswers = () => {
    if (answersTimer !== null) return;
    answersTimer = setTimeout(() => {
      answersTimer = null;
      fetchAnswers(box.mailId, box.token).then(
        (answers) => {
          if (!stopped) messageStore.setAnswers(box.mailId, answers);
        },
        () => {
          // A gone mailbox or a refused token shows through QUERY; answers can wait.
        },
      );
    }, 50);
  };
  const notices = nc.subscribe(ANSWERED_PREFIX + box.mailId, {
    callback: (err, msg) => {
      if (err !== null) return;
      let answer = null;
      try {
        answer = answerFromNotice(msg.json());
      } catch {
        answer = null;
      }
      if (answer !== null && answer.mailId === box.mailId) messageStore.putAnswer(answer);
      else refreshAnswers();
    },
  });
  refreshAnswers();

  return {
    refreshAnswers,
    stop() {
      stopped = true;
      if (answersTimer !== null) clearTimeout(answersTimer);
      sub?.unsubscribe();
      notices.unsubscribe();
    },
  };
}

async function loadHistory(
  mq9: Mq9Client,
  box: OwnedMailbox,
  cancelled: () => boolean,
  onFirstPage: () => void,
): Promise<void> {
  const { mailId } = box;
  messageStore.setHistory(mailId, "loading");
  const stored = new Set<number>();
  let after: number | undefined;
  let limit = FIRST_PAGE;
  try {
    for (;;) {
      const page = await mq9.query(mailId, box.token, { peek: true, limit, after });
      if (after === undefined) performance.mark("mq9:first-page");
      onFirstPage();
      if (cancelled()) return;
      updateMailbox(mailId, { type: page.type, expiresAt: page.expiresAt });
      const items = page.messages.map(toInboxItem);
      for (const i of items) stored.add(i.msgId);
      messageStore.receive(mailId, items, page.type === "latest");
      const last = page.messages[page.messages.length - 1];
      if (!page.more || last === undefined) break;
      after = last.msgId;
      limit = PAGE;
    }
    pruneUnseen(mailId, stored);
    messageStore.setHistory(mailId, "complete");
  } catch (err) {
    onFirstPage();
    if (cancelled()) return;
    if (err instanceof Mq9RequestError && err.code === "not_found") {
      messageStore.setHistory(mailId, "gone", "This mailbox has expired or was deleted.");
    } else if (err instanceof Mq9RequestError && err.code === "unauthorized") {
      messageStore.setHistory(mailId, "error", "The broker refused this mailbox's token.");
    } else {
      messageStore.setHistory(mailId, "error", (err as Error).message);
    }
  }
}

export function useInboxSync(mailboxes: readonly OwnedMailbox[], selected: string | null): void {
  const { nc, mq9 } = useNats();
  const watches = useRef(new Map<string, Watch>());
  /** Which connection epoch each mailbox's history was last loaded in. */
  const loadedIn = useRef(new Map<string, number>());
  const [epoch, setEpoch] = useState(0);

  // The watches live as long as the connection. Stopping waits a tick: React (strict mode,
  // fast refresh) may tear an effect down and set it up again at once, and an owner
  // subscription dropped in between would take the replayed unread mail with it (§6.2).
  const owner = useRef<{
    nc: NatsConnection | null;
    stopTimer: ReturnType<typeof setTimeout> | null;
    firstScreen: Gate | null;
  }>({ nc: null, stopTimer: null, firstScreen: null });
  useEffect(() => {
    const o = owner.current;
    const map = watches.current;
    const loaded = loadedIn.current;
    const stopAll = () => {
      o.stopTimer = null;
      for (const w of map.values()) w.stop();
      map.clear();
      loaded.clear();
    };
    if (o.stopTimer !== null) {
      clearTimeout(o.stopTimer);
      o.stopTimer = null;
      if (o.nc !== nc) stopAll();
    }
    if (o.nc !== nc || o.firstScreen === null) o.firstScreen = gate();
    o.nc = nc;
    return () => {
      o.stopTimer = setTimeout(stopAll, 0);
    };
  }, [nc]);

  // One owner subscription per owned mailbox; added and removed as the list changes.
  useEffect(() => {
    if (nc === null || mq9 === null) return;
    const map = watches.current;
    const wanted = new Map(mailboxes.map((m) => [m.mailId, m]));
    for (const [id, w] of map) {
      if (!wanted.has(id)) {
        w.stop();
        map.delete(id);
        loadedIn.current.delete(id);
        messageStore.drop(id);
      }
    }
    const firstScreen = owner.current.firstScreen?.opened ?? Promise.resolve();
    for (const [id, box] of wanted) {
      if (!map.has(id)) map.set(id, watchMailbox(nc, mq9, box, firstScreen));
    }
  }, [nc, mq9, mailboxes]);

  // The broker says when a mailbox expires or is deleted (mq9.md §8): an open view of it
  // must not go on showing mail that is gone.
  useEffect(() => {
    if (mq9 === null) return;
    const sub = mq9.onBroadcast("system.expired", (m) => {
      let event: unknown;
      try {
        event = m.json();
      } catch {
        return;
      }
      if (!isExpiredEvent(event)) return;
      if (!ownedState().mailboxes.some((b) => b.mailId === event.mail_id)) return;
      messageStore.setHistory(event.mail_id, "gone", "This mailbox has expired or was deleted.");
      updateMailbox(event.mail_id, { expiresAt: Math.min(event.expired_at, Date.now()) });
    });
    return () => sub.unsubscribe();
  }, [mq9]);

  useNatsReconnected(() => {
    for (const w of watches.current.values()) w.refreshAnswers();
    setEpoch((e) => e + 1);
  });

  // The open mailbox's history, once per connection epoch (the live subscription keeps it
  // current in between).
  useEffect(() => {
    if (mq9 === null) return;
    const firstScreen = owner.current.firstScreen;
    const openGate = () => firstScreen?.open();
    const box = mailboxes.find((m) => m.mailId === selected);
    if (selected === null || box === undefined || loadedIn.current.get(selected) === epoch) {
      openGate();
      return;
    }
    loadedIn.current.set(selected, epoch);
    let cancelled = false;
    void loadHistory(mq9, box, () => cancelled, openGate);
    return () => {
      cancelled = true;
      if (messageStore.snapshot(selected).history === "loading") {
        loadedIn.current.delete(selected);
        messageStore.setHistory(selected, "idle");
      }
    };
    // `mailboxes` changes when QUERY updates the expiry; that must not restart the load.
  }, [mq9, selected, epoch]);

  // What the human is looking at is seen.
  useEffect(() => {
    if (selected === null) return;
    const seen = () => {
      if (document.visibilityState === "visible") clearUnseen(selected);
    };
    seen();
    document.addEventListener("visibilitychange", seen);
    return () => document.removeEventListener("visibilitychange", seen);
  }, [selected]);
}
