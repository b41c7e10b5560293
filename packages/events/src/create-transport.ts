import { InProcessTransport } from './in-process.transport';
import { KafkaTransport } from './kafka.transport';
import type { EventTransport } from './transport';

export interface TransportConfig {
  /** Kafka when brokers are given, the in-process bus otherwise. */
  kafkaBrokers?: string[];
  clientId: string;
  log?: (message: string) => void;
}

export function createTransport(config: TransportConfig): EventTransport {
  if (config.kafkaBrokers?.length) {
    return new KafkaTransport({ brokers: config.kafkaBrokers, clientId: config.clientId, log: config.log });
  }
  return new InProcessTransport((topic, error) => config.log?.(`in-process bus: ${topic} message dead-lettered: ${error.message}`));
}
