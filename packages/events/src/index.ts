export { createEnvelope, parseEnvelope, requireVersion, type EventEnvelope, type NewEvent } from './envelope';
export {
  type EventTransport,
  type MessageHandler,
  type SubscribeOptions,
  type Unsubscribe,
  type TopicMessages,
  type RetryPolicy,
  DEFAULT_RETRY_POLICY,
  deadLetterTopic,
} from './transport';
export { classifyDeliveryError, DeliveryAbortedError, UnprocessableMessageError, type DeliveryFailure, type FailureKind } from './delivery-errors';
export { DEAD_LETTERS_METRIC, DELIVERY_RETRIES_METRIC, registeredCounter } from './metrics';
export { InProcessTransport, type InProcessDeadLetter, type InProcessTransportOptions } from './in-process.transport';
export { KafkaTransport, DeadLetterHeader, type KafkaTransportOptions } from './kafka.transport';
export { replayDeadLetters, type ReplayOptions, type ReplayResult } from './dlq-replay';
export { createTransport, type TransportConfig } from './create-transport';
export { OutboxMessage, OUTBOX_INSERT_COLUMNS, outboxRowValues } from './outbox.entity';
export { recordEvent } from './outbox';
export { CLAIMED, claimMessage } from './processed';
export { OutboxRelay, type OutboxRelayOptions } from './relay';
export { PeriodicWorker, type PeriodicWorkerOptions, type TickOutcome } from './periodic-worker';
export { outboxTablesSql, outboxTraceparentSql, outboxWakeTriggerSql, OUTBOX_WAKE_CHANNEL } from './schema.sql';
export { currentTraceparent, handleInMessageTrace } from './tracing';
export { OutboxWakeListener, type OutboxWakeOptions } from './outbox-wake';
