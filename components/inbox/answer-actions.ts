/**
 * Sending an answer: POST /api/inbox/answers (the server publishes the approval_response to
 * the request's reply_to, once), then the store shows the card as answered. A refused
 * second answer shows the answer that stands.
 */
import type { ApprovalAction } from "@/lib/mq9/mod";
import { postAnswer } from "./answers-api";
import type { InboxItem } from "./inbox-item";
import { messageStore } from "./message-store";
import { ownedState, responderName } from "./owned-mailboxes";
import { showToast } from "./toasts";

export interface AnswerDraft {
  decision: ApprovalAction;
  reason?: string;
  args?: Record<string, unknown>;
  text?: string;
}

/** Null when it went out (or someone else's answer now shows); else the error to show. */
export async function sendAnswer(item: InboxItem, draft: AnswerDraft): Promise<string | null> {
  const box = ownedState().mailboxes.find((m) => m.mailId === item.mailId);
  if (box === undefined) return "This mailbox is no longer in your list.";
  const res = await postAnswer(box.token, {
    mail_id: item.mailId,
    msg_id: item.msgId,
    decision: draft.decision,
    ...(draft.reason !== undefined && { reason: draft.reason }),
    ...(draft.args !== undefined && { args: draft.args }),
    ...(draft.text !== undefined && { text: draft.text }),
    responder: responderName(),
  });
  if (res.ok) {
    messageStore.putAnswer(res.answer);
    return null;
  }
  if (res.code === "already_answered" && res.existing !== undefined) {
    messageStore.putAnswer(res.existing);
    showToast(`Already answered by ${res.existing.responder}`, "info");
    return null;
  }
  return res.error;
}
