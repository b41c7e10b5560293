import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

export { propagation, context, trace } from '@opentelemetry/api';

export interface TelemetryOptions {
  /** Export spans here instead of what the OTEL_* variables say (tests: an InMemorySpanExporter's processor). */
  spanProcessors?: SpanProcessor[];
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  /** Flushes buffered spans and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Tracing is off unless the operator asks for it with the standard variables: an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) or an exporter
 * (OTEL_TRACES_EXPORTER, e.g. `otlp` or `console`). OTEL_SDK_DISABLED=true wins.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_TRACES_EXPORTER?.trim());
}

/**
 * Starts the OpenTelemetry SDK with the instrumentations Eventix needs — http (incoming and
 * outgoing: gateway → subgraph fetches carry `traceparent`), graphql, pg, kafkajs, ioredis —
 * configured by the standard OTEL_* variables (exporter, endpoint, headers, sampler, service
 * name). Call it first thing in an entry point: instrumentations patch modules when they are
 * required, so a module loaded earlier is not traced. Returns undefined when tracing is off.
 */
export function startTelemetry(serviceName: string, options: TelemetryOptions = {}): Telemetry | undefined {
  const env = options.env ?? process.env;
  if (!options.spanProcessors && !tracingRequested(env)) return undefined;
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || serviceName,
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes are not operations worth a trace.
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
      }),
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      new KafkaJsInstrumentation(),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
