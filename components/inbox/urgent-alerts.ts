/**
 * Telling the human an urgent approval request arrived (console.md, "Human inbox"): a
 * browser notification while the tab is hidden — each request once, at most one every few
 * seconds (a burst becomes one summary) — and an in-page toast while they are looking.
 */
import type { InboxItem } from "./inbox-item";
import { selectMailbox } from "./owned-mailboxes";
import { showToast } from "./toasts";

const THROTTLE_MS = 5000;
const announced = new Set<string>();
let lastShown = 0;
let held: InboxItem[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

export function notificationsSupported(): boolean {
  return typeof window !== "undefined" && "Notification" in window;
}

/** Must be called from a user gesture (a click): browsers refuse prompts without one. */
export async function askNotificationPermission(): Promise<NotificationPermission> {
  if (!notificationsSupported()) return "denied";
  return Notification.requestPermission();
}

function describe(items: readonly InboxItem[]): string {
  const first = items[0];
  if (items.length === 1 && first !== undefined) {
    return `Urgent: ${first.approval?.title ?? "approval request"}`;
  }
  return `${items.length} urgent approval requests`;
}

function show(items: InboxItem[]): void {
  const first = items[0];
  if (first === undefined) return;
  lastShown = Date.now();
  try {
    const n = new Notification(describe(items), {
      body: items.length === 1 ? `${first.from ?? "an agent"} → ${first.mailId}` : first.mailId,
      // The tag replaces an earlier notification of the same request instead of stacking.
      tag: items.length === 1 ? `mq9-${first.key}` : "mq9-urgent",
    });
    n.onclick = () => {
      window.focus();
      selectMailbox(first.mailId);
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker: fall back to a toast.
    showToast(describe(items), "urgent");
  }
}

function release(): void {
  timer = null;
  const items = held;
  held = [];
  if (items.length > 0) show(items);
}

/** `items` arrived unread on an owner subscription; urgent approval requests are announced. */
export function announceUrgent(items: readonly InboxItem[]): void {
  const fresh = items.filter(
    (i) => i.kind === "approval" && i.priority === "urgent" && !announced.has(i.key),
  );
  if (fresh.length === 0) return;
  for (const i of fresh) announced.add(i.key);

  const hidden = document.visibilityState === "hidden";
  if (!hidden || !notificationsSupported() || Notification.permission !== "granted") {
    showToast(describe(fresh), "urgent");
    return;
  }
  held.push(...fresh);
  if (timer !== null) return;
  const wait = lastShown + THROTTLE_MS - Date.now();
  if (wait <= 0) release();
  else timer = setTimeout(release, wait);
}
