/**
 * The demo agent's loop: its own mailbox, capability announcements (mq9.md §12.2),
 * urgent approval requests to a human (§12.1) with reply_to set to that mailbox, and
 * the work it does once the answers arrive on its owner subscription (§6.1).
 */
import {
  approvalRequest,
  isApprovalResponse,
  isExpiredEvent,
  type ApprovalResponse,
  type Mq9Client,
  type Mq9Message,
} from "../../../lib/mq9/mod";
import type { AgentArgs } from "./args";
import type { Emit } from "./events";
import { DESCRIPTION, SKILLS, taskFor, type Task } from "./script";

/** Pause between the visible steps of the work: long enough to watch, short enough to wait for. */
const STEP_MS = 400;

export interface AgentOutcome {
  answered: number;
  unanswered: number;
}

interface Pending {
  task: Task;
  timer: NodeJS.Timeout;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function bodyOf(m: { json(): unknown }): unknown {
  try {
    return m.json();
  } catch {
    return null;
  }
}

/**
 * Runs until every request is answered or has expired (with `loop`, until `stopped`),
 * or until its mailbox expires. Throws when the broker refuses (e.g. `--to` is no mailbox).
 */
export async function runAgent(
  mq9: Mq9Client,
  args: AgentArgs,
  emit: Emit,
  stopped: Promise<void>,
): Promise<AgentOutcome> {
  const box = await mq9.create({ type: "standard", ttl: args.ttl, prefix: "m-agent-" });
  const own = box.mailId;
  emit({ event: "mailbox", mail_id: own, expires_at: box.expiresAt });

  let ended = false;
  let endNow: () => void = () => {};
  const end = new Promise<void>((resolve) => (endNow = resolve));
  void stopped.then(() => {
    ended = true;
    endNow();
  });

  // The broker says when our mailbox is gone (§8); nothing can reach us after that.
  const expiry = mq9.onBroadcast("system.expired", (m) => {
    const e = bodyOf(m);
    if (!isExpiredEvent(e) || e.mail_id !== own) return;
    emit({ event: "mailbox_expired", mail_id: own });
    ended = true;
    endNow();
  });

  // Owner subscription before the first question, so no answer can be missed (§6.1).
  const inbox = mq9.subscribe(own);
  const pending = new Map<string, Pending>();
  let answered = 0;
  let unanswered = 0;
  let roundDone: () => void = () => {};
  // A round is settled when every request of it is sent and none is still open.
  let asking = false;
  const settleIfDone = () => {
    if (!asking && pending.size === 0) roundDone();
  };

  const announce = () =>
    mq9.announce({
      from: own,
      name: args.name,
      description: DESCRIPTION,
      skills: SKILLS,
      ttl: args.capabilityTtl,
    });
  announce();
  await mq9.nc.flush();
  emit({
    event: "announced",
    mail_id: own,
    name: args.name,
    skills: SKILLS.map((s) => s.id),
    ttl: args.capabilityTtl,
  });
  // Re-announced at half the ttl, so an index never sees us stale while we run (§12.2).
  const reannounce = setInterval(announce, (args.capabilityTtl * 1000) / 2);

  const act = async (task: Task, answer: ApprovalResponse) => {
    if (answer.decision === "reject") return;
    const used = answer.decision === "edit" && answer.args !== null ? answer.args : task.args;
    const steps = task.steps(used);
    if (answer.decision === "answer") steps.unshift(`following the note "${answer.text ?? ""}"`);
    for (const step of steps) {
      await sleep(STEP_MS);
      emit({ event: "working", correlation_id: answer.correlation_id, step });
    }
    await mq9.send(
      args.to,
      {
        from: own,
        type: "result",
        correlation_id: answer.correlation_id,
        title: `Done: ${task.title}${answer.decision === "edit" ? " (with your changes)" : ""}`,
        summary: steps.join("; "),
        payload: { status: "done", args: used, note: answer.text },
      },
      // Not `check`: that would give the result a NATS reply subject, and a message with
      // one asks for an answer (the console shows it as a request); confirm is enough.
      { priority: "normal" },
    );
    emit({ event: "result_sent", correlation_id: answer.correlation_id, to: args.to });
  };

  const onMessage = async (m: Mq9Message) => {
    const body = bodyOf(m);
    if (!isApprovalResponse(body)) return;
    const p = pending.get(body.correlation_id);
    // Not ours, already settled, or a second answer: the first one counts.
    if (p === undefined) return;
    pending.delete(body.correlation_id);
    clearTimeout(p.timer);
    answered++;
    emit({
      event: "answered",
      correlation_id: body.correlation_id,
      decision: body.decision,
      approved: body.approved,
      reason: body.reason,
      args: body.args,
      text: body.text,
      responder: body.responder,
      from: body.from,
    });
    try {
      await act(p.task, body);
    } catch (err) {
      emit({ event: "error", message: (err as Error).message, ...codeOf(err) });
    }
    settleIfDone();
  };

  // One answer at a time, so the work steps of two answers do not interleave.
  const consuming = (async () => {
    for await (const m of inbox) await onMessage(m);
  })();

  let asked = 0;
  const ask = async () => {
    const task = taskFor(asked++);
    const expiresAt = Date.now() + args.expiresIn * 1000;
    const req = approvalRequest({
      from: own,
      title: task.title,
      description: task.description,
      args: task.args,
      allowed: task.allowed,
      ...(task.options ? { options: task.options } : {}),
      expiresAt,
    });
    const timer = setTimeout(() => {
      if (!pending.delete(req.correlation_id)) return;
      unanswered++;
      emit({ event: "unanswered", correlation_id: req.correlation_id });
      settleIfDone();
    }, args.expiresIn * 1000);
    pending.set(req.correlation_id, { task, timer });
    // Checked, so a wrong --to fails here with the broker's not_found (§4.4).
    await mq9.send(args.to, req, { priority: "urgent", check: true });
    emit({
      event: "asked",
      correlation_id: req.correlation_id,
      to: args.to,
      title: task.title,
      expires_at: expiresAt,
    });
  };

  try {
    while (!ended) {
      const settled = new Promise<void>((resolve) => (roundDone = resolve));
      asking = true;
      for (let i = 0; i < args.requests; i++) await ask();
      asking = false;
      settleIfDone();
      await Promise.race([settled, end]);
      if (!args.loop || ended) break;
      await Promise.race([sleep(args.interval * 1000), end]);
    }
  } finally {
    clearInterval(reannounce);
    for (const p of pending.values()) clearTimeout(p.timer);
    unanswered += pending.size;
    pending.clear();
    inbox.unsubscribe();
    expiry.unsubscribe();
    await consuming.catch(() => {});
  }
  return { answered, unanswered };
}

export function codeOf(err: unknown): { code?: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? { code } : {};
}
