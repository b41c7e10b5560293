import { InProcessTransport } from './in-process.transport';
import { KafkaTransport } from './kafka.transport';
import type { EventTransport } from './transport';

export interface TransportConfig {
  /** Kafka when brokers are given, the in-process bus otherwise. */
  kafkaBrokers?: string[];
  clientId: string;
  /** Kafka only: put before every topic name on the wire (see `KafkaTransportOptions.topicPrefix`). */
  topicPrefix?: string;
  log?: (message: string) => void;
}

/** How often a retrying transient failure is logged again (the first one always is). */
const LOG_EVERY_N_RETRIES = 10;

export function createTransport(config: TransportConfig): EventTransport {
  if (config.kafkaBrokers?.length) {
    return new KafkaTransport({ brokers: config.kafkaBrokers, clientId: config.clientId, topicPrefix: config.topicPrefix, log: config.log });
  }
  return new InProcessTransport({
    onDeadLetter: ({ topic, groupId, message, attempts, failure, error }) =>
      config.log?.(
        `in-process bus: dead-lettered message ${message.id} of ${topic} (group ${groupId}) after ${attempts} attempt(s), ` +
          `${failure.kind} ${failure.reason}: ${error.message}`,
      ),
    onRetry: ({ topic, groupId, message, attempt, failure, error, delayMs }) => {
      if (attempt === 1 || attempt % LOG_EVERY_N_RETRIES === 0) {
        config.log?.(
          `in-process bus: ${groupId} could not handle message ${message.id} of ${topic} (attempt ${attempt}, ${failure.kind} ${failure.reason}): ` +
            `${error.message}; retrying in ${delayMs} ms`,
        );
      }
    },
  });
}
