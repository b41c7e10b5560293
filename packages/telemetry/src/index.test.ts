import { startTelemetry, tracingRequested } from './index';

describe('tracingRequested: off by default, on when an OTEL_* variable names an exporter or endpoint', () => {
  it.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: 'booking' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
  ])('%j → %s', (env, expected) => {
    expect(tracingRequested(env)).toBe(expected);
  });

  it('starts nothing when tracing is off', () => {
    expect(startTelemetry('catalog', { env: {} })).toBeUndefined();
  });
});
