import type { IncomingMessage } from 'node:http';
import { INVALID_SPAN_CONTEXT, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Tracing } from './tracing';

const SPAN = Symbol('request span');
type TracedMessage = IncomingMessage & { [SPAN]?: Span };
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The span of a request (recorded or not); its ids are those on the request's log lines. */
export function requestSpan(request: FastifyRequest): Span {
  return (request.raw as TracedMessage)[SPAN] ?? NO_SPAN;
}

function pathOf(url = '/'): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Fastify `childLoggerFactory`: the request's span is started where its logger is made, so that
 * every line of the request carries `trace_id` and `span_id` (OpenTelemetry's log field names)
 * beside the request id, from one child logger as before. Probe and scrape paths get ids but
 * are never recorded: a kubelet would otherwise fill the trace store.
 */
export function tracedChildLogger(
  tracing: Tracing,
  unrecordedPaths: ReadonlySet<string>,
): NonNullable<FastifyServerOptions['childLoggerFactory']> {
  return function childLogger(logger, bindings, options, raw) {
    const message = raw as TracedMessage;
    const record = tracing.recording && !unrecordedPaths.has(pathOf(message.url));
    const span = tracing.startServerSpan(message.method ?? 'GET', message.headers, record);
    message[SPAN] = span;
    const ids = span.spanContext();
    // Fastify makes `bindings` afresh for each request: adding to it saves a copy per request.
    const withTrace = bindings as typeof bindings & { trace_id: string; span_id: string };
    withTrace.trace_id = ids.traceId;
    withTrace.span_id = ids.spanId;
    return logger.child(withTrace, options);
  };
}

/**
 * When spans are recorded: the request's span is active while its handler runs (so the AWS
 * SDK's spans and main-api's upstream span become its children) and ends with the response.
 */
export function registerRequestSpans(app: FastifyInstance, tracing: Tracing): void {
  if (!tracing.recording) return;
  app.addHook('onRequest', (request, _reply, done) => {
    const span = requestSpan(request);
    if (!span.isRecording()) {
      done();
      return;
    }
    const route = request.routeOptions.url;
    span.updateName(route ? `${request.method} ${route}` : request.method);
    span.setAttributes({
      [ATTR_HTTP_REQUEST_METHOD]: request.method,
      // The path only: the query holds caller input.
      [ATTR_URL_PATH]: pathOf(request.url),
      ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
    });
    tracing.withActive(span, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = requestSpan(request);
    if (span.isRecording()) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    const span = requestSpan(request);
    if (span.isRecording()) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the connection' });
      span.end();
    }
    done();
  });
}
