import type { IncomingHttpHeaders } from 'node:http';
import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { setGlobalErrorHandler, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  RandomIdGenerator,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { SpanExport } from './config';

const propagator = new W3CTraceContextPropagator();
const ids = new RandomIdGenerator();
// A collector that is down must not hold the shutdown drain past its budget.
const SHUTDOWN_FLUSH_MS = 2_000;
// A collector that stays down fails every batch: one warning per this period is enough.
const EXPORT_WARNING_EVERY_MS = 60_000;

export interface TracingOptions {
  /** Where spans go; undefined: trace context only, nothing recorded or exported. */
  spanExport?: SpanExport;
  /** Tests record spans in memory with their own processor instead of OTLP. */
  spanProcessor?: SpanProcessor;
  /** Where failed exports are reported (the SDK's own diagnostics are silent by default). */
  log?: { warn(fields: object, message: string): void };
}

/**
 * W3C trace context for every request, and OpenTelemetry spans when an exporter is configured.
 * Without one, no span is recorded: a request still gets a trace id (the caller's, or a new one)
 * and a span id of its own for the log lines, and passes the caller's sampled flag on unchanged.
 */
export class Tracing {
  /** True when spans are recorded and exported. */
  readonly recording: boolean;
  readonly #tracer: Tracer | undefined;
  readonly #provider: BasicTracerProvider | undefined;

  constructor(service: { name: string; version: string }, options: TracingOptions = {}) {
    const processor = options.spanProcessor ?? (options.spanExport && batchExport(options.spanExport));
    if (!processor) {
      this.recording = false;
      return;
    }
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: service.name,
        [ATTR_SERVICE_VERSION]: service.version,
      }).merge(detectResources({ detectors: [envDetector] })),
      sampler: samplerFor(options.spanExport),
      spanProcessors: [processor],
    });
    this.#tracer = this.#provider.getTracer('@platform/service-kit');
    this.recording = true;
    if (options.log) warnOnExportErrors(options.log);
    // Spans started deep in a request (the AWS SDK's) find their parent through async context.
    // Only needed, and only paid for, when spans are recorded. One per process; a second call
    // (several apps in one test process) keeps the first, which works the same.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }

  /** The span of an inbound request: a child of the caller's `traceparent`, or a new trace. */
  startServerSpan(method: string, headers: IncomingHttpHeaders, record: boolean): Span {
    const parent = headers.traceparent === undefined ? ROOT_CONTEXT : extract(headers);
    if (this.#tracer && record) {
      return this.#tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
    }
    const caller = trace.getSpanContext(parent);
    return trace.wrapSpanContext({
      traceId: caller?.traceId ?? ids.generateTraceId(),
      spanId: ids.generateSpanId(),
      traceFlags: caller?.traceFlags ?? TraceFlags.NONE,
      ...(caller?.traceState ? { traceState: caller.traceState } : {}),
    });
  }

  /**
   * A span for an outgoing call made on behalf of `parent`. When `parent` is not recorded, it is
   * returned as is: the call carries the request's own ids and nothing is allocated.
   */
  startClientSpan(name: string, parent: Span, attributes: Attributes): Span {
    if (!this.#tracer || !parent.isRecording()) return parent;
    return this.#tracer.startSpan(
      name,
      { kind: SpanKind.CLIENT, attributes },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
  }

  /** A client span whose parent is whatever span is active in the current async context. */
  startChildOfActive(name: string, attributes: Attributes): Span | undefined {
    const active = trace.getActiveSpan();
    if (!this.#tracer || !active?.isRecording()) return undefined;
    return this.#tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, context.active());
  }

  /** Runs `fn` with `span` active, so spans started inside find it as their parent. */
  withActive<T>(span: Span, fn: () => T): T {
    return context.with(trace.setSpan(ROOT_CONTEXT, span), fn);
  }

  /** Adds `traceparent` (and `tracestate`) for `span` to outgoing headers. */
  inject(span: Span, headers: Record<string, string>): void {
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  }

  /** Exports what is buffered, waiting at most SHUTDOWN_FLUSH_MS. */
  async shutdown(): Promise<void> {
    if (!this.#provider) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS);
      timer.unref();
    });
    await Promise.race([this.#provider.shutdown().catch(() => undefined), late]);
    clearTimeout(timer);
  }
}

function warnOnExportErrors(log: NonNullable<TracingOptions['log']>): void {
  let warnedAt = Number.NEGATIVE_INFINITY;
  let failures = 0;
  setGlobalErrorHandler((error) => {
    failures++;
    const now = performance.now();
    if (now - warnedAt < EXPORT_WARNING_EVERY_MS) return;
    warnedAt = now;
    const message = error instanceof Error ? error.message : String(error);
    log.warn({ failures, error: message.slice(0, 200) }, 'trace export failed; spans are being dropped');
    failures = 0;
  });
}

function extract(headers: IncomingHttpHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

function batchExport(spanExport: SpanExport): SpanProcessor {
  const exporter =
    spanExport.protocol === 'http/json'
      ? new OtlpJsonExporter({ url: spanExport.url })
      : new OtlpProtobufExporter({ url: spanExport.url });
  return new BatchSpanProcessor(exporter);
}

/** OTEL_TRACES_SAMPLER, as the SDK specification defines its values. */
function samplerFor(spanExport: SpanExport | undefined): Sampler {
  const ratio = new TraceIdRatioBasedSampler(spanExport?.samplerRatio ?? 1);
  switch (spanExport?.sampler ?? 'parentbased_always_on') {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
