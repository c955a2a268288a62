/**
 * The mq9 client module's public surface. Browser-safe: it imports no NATS client and no
 * Node module; hand it a connection from `nats`, `nats.ws` or `@nats-io/nats-core`.
 */
export {
  Mq9Client,
  type BroadcastHandler,
  type BroadcastOptions,
  type CreateOptions,
  type Mailbox,
  type Mq9ClientOptions,
  type OnBroadcastOptions,
  type QueryOptions,
  type QueryResult,
  type RequestOptions,
  type RespondOptions,
  type SendOptions,
} from "./client";
export type {
  NatsConnectionLike,
  NatsMessage,
  NatsSubscribeOptions,
  NatsSubscription,
  OutgoingHeaders,
  ReceivedHeaders,
} from "./connection";
export { Mq9RequestError, Mq9TimeoutError } from "./errors";
export { HeaderBlock, type HeaderRecord, type HeadersInit } from "./headers";
export type { Mq9Broadcast, Mq9Message, Mq9StoredMessage } from "./messages";
export { Mq9Subscription } from "./subscription";
export type { Body } from "./payload";
export {
  broadcastPattern,
  broadcastSubject,
  inboxPattern,
  inboxSubject,
  mailIdOf,
  type PriorityFilter,
} from "./addresses";
export {
  APPROVAL_ACTIONS,
  DEFAULT_CAPABILITY_TTL,
  approvalRequest,
  approvalResponse,
  capabilityAnnouncement,
  isApprovalRequest,
  isApprovalResponse,
  isCapabilityAnnouncement,
  newCorrelationId,
  type ApprovalAction,
  type ApprovalOption,
  type ApprovalRequest,
  type ApprovalRequestInit,
  type ApprovalResponse,
  type ApprovalResponseInit,
  type CapabilityAnnouncement,
  type CapabilityAnnouncementInit,
  type Envelope,
  type Skill,
} from "./conventions";
export {
  isExpiredEvent,
  type CreateReplyWire,
  type DeleteReplyWire,
  type ExpiredEvent,
  type MailboxType,
  type QueriedMessageWire,
  type QueryReplyWire,
} from "./wire";
export {
  BROADCAST_PREFIX,
  CAPABILITY_SUBJECT,
  CREATE_SUBJECT,
  DELETE_PREFIX,
  EXPIRED_SUBJECT,
  INBOX_PREFIX,
  PRIORITIES,
  QUERY_PREFIX,
  type Priority,
} from "../../server/mq9/subjects";
export { MQ9_ERROR_CODES, type Mq9ErrorCode } from "../../server/mq9/errors";
