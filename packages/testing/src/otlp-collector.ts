import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  links?: Array<{ traceId: string; spanId: string }>;
  /** The exporting process's `service.name` and `service.instance.id`. */
  service: string;
  instance: string;
}

/**
 * A stand-in OpenTelemetry collector: OTLP/HTTP with JSON bodies (OTEL_EXPORTER_OTLP_PROTOCOL=
 * http/json) on /v1/traces, keeping every span it is sent.
 */
export async function startOtlpCollector(): Promise<{ url: string; spans: CollectedSpan[]; close(): Promise<void> }> {
  const spans: CollectedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const payload = JSON.parse(body) as { resourceSpans?: Array<{ resource: { attributes?: CollectedSpan['attributes'] }; scopeSpans: Array<{ spans: CollectedSpan[] }> }> };
      for (const rs of payload.resourceSpans ?? []) {
        const resource = (key: string) => String(rs.resource.attributes?.find((a) => a.key === key)?.value.stringValue ?? '');
        for (const ss of rs.scopeSpans) for (const span of ss.spans) spans.push({ ...span, service: resource('service.name'), instance: resource('service.instance.id') });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The value of a span attribute, whatever its OTLP type. */
export const spanAttribute = (span: CollectedSpan, key: string): unknown => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

/** The standard OTEL_* variables that make a process export its traces (only) to `collectorUrl`, quickly. */
export function otlpExportEnv(collectorUrl: string): Record<string, string> {
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collectorUrl,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
}
