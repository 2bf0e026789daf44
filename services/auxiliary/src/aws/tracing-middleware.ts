import { SpanStatusCode } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import type { Tracing } from '@platform/service-kit';
import type { InitializeMiddleware, MetadataBearer, MiddlewareStack } from '@smithy/types';

// OpenTelemetry's RPC conventions, as the AWS SDK instrumentation uses them (still incubating in
// @opentelemetry/semantic-conventions, whose guidance is to copy such names, not import them).
const ATTR_RPC_SYSTEM = 'rpc.system';
const ATTR_RPC_SERVICE = 'rpc.service';
const ATTR_RPC_METHOD = 'rpc.method';
const ATTR_AWS_REQUEST_ID = 'aws.request_id';
const ATTR_AWS_ATTEMPTS = 'aws.sdk.attempts';

// biome-ignore lint/suspicious/noExplicitAny: every SDK client's stack, whatever its input and output types.
type AnyMiddlewareStack = MiddlewareStack<any, any>;

/**
 * One client span per AWS SDK operation (retries inside it), child of the request being served:
 * `SSM.GetParameter`, with the operation, status, request id and attempt count — never its input
 * or output, which hold parameter names' values. Added only when spans are recorded.
 */
export function traceAwsCalls(client: { middlewareStack: AnyMiddlewareStack }, tracing: Tracing): void {
  if (!tracing.recording) return;
  const middleware: InitializeMiddleware<object, MetadataBearer> = (next, context) => async (args) => {
    const service = String(context.clientName ?? 'AWS').replace(/Client$/, '');
    const method = String(context.commandName ?? 'unknown').replace(/Command$/, '');
    const span = tracing.startChildOfActive(`${service}.${method}`, {
      [ATTR_RPC_SYSTEM]: 'aws-api',
      [ATTR_RPC_SERVICE]: service,
      [ATTR_RPC_METHOD]: method,
    });
    if (!span) return next(args);
    try {
      const result = await next(args);
      describe(span, result.output.$metadata);
      return result;
    } catch (error) {
      const { name, $metadata } = error as { name?: unknown; $metadata?: MetadataBearer['$metadata'] };
      if ($metadata) describe(span, $metadata);
      span.setAttribute(ATTR_ERROR_TYPE, typeof name === 'string' ? name : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'platformTracing', override: true });
}

function describe(
  span: NonNullable<ReturnType<Tracing['startChildOfActive']>>,
  metadata: MetadataBearer['$metadata'],
): void {
  if (metadata.httpStatusCode !== undefined)
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, metadata.httpStatusCode);
  if (metadata.requestId) span.setAttribute(ATTR_AWS_REQUEST_ID, metadata.requestId);
  if (metadata.attempts !== undefined) span.setAttribute(ATTR_AWS_ATTEMPTS, metadata.attempts);
}
