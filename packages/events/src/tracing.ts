import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link } from '@opentelemetry/api';
import type { EventEnvelope } from './envelope';

/**
 * Trace context through the outbox (OpenTelemetry, W3C `traceparent`). The envelope records the
 * span that wrote it, the outbox row keeps it until the relay publishes, and the consumer handles
 * the message in a span whose parent is that one: one trace from the request through Kafka to
 * the handler, however long the message waited. Without a registered SDK these are no-ops.
 */
const tracer = trace.getTracer('@eventix/events');

/** The W3C `traceparent` of the active span, or undefined when nothing is traced. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/**
 * Runs a consumer's handling of `message` (all its attempts) in a CONSUMER span continuing the
 * trace the message was written in; the transport's own span (kafkajs's, in the relay's trace)
 * is kept as a link.
 */
export function handleInMessageTrace<T>(message: EventEnvelope, topic: string, groupId: string, handle: () => Promise<T>): Promise<T> {
  if (!message.traceparent) return handle();
  const parent = propagation.extract(ROOT_CONTEXT, { traceparent: message.traceparent });
  const transportSpan = trace.getSpanContext(context.active());
  const links: Link[] = transportSpan ? [{ context: transportSpan }] : [];
  const attributes = { 'messaging.destination.name': topic, 'messaging.consumer.group.name': groupId, 'messaging.message.id': message.id, 'eventix.message.type': message.type };
  return tracer.startActiveSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes, links }, parent, async (span) => {
    try {
      return await handle();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
