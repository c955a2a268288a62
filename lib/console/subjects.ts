/**
 * Subjects of the console's own (browser-safe, so the inbox and the server share them).
 * Not under `$mq9.AI.`: these are plain NATS, never stored.
 */

/** `<prefix><mail_id>`: an answer to one of that mailbox's requests was recorded (server/console/answers.ts). */
export const ANSWERED_PREFIX = "$mq9console.answered.";
