// One request to main-api, exported over OTLP by both services (built bundles, real emulator):
// one trace whose spans cover main-api, auxiliary-service and the GetParameter call, linked
// parent to child. Then the default protocol (protobuf), and what the spans must never hold.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Stack, startStack } from '../../scripts/local/stack';
import { CheckedFetch } from '../support/openapi-validator';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver';

// Like the rest of the end-to-end suite, every answer is checked against its service's OpenAPI
// document.
const { fetch } = new CheckedFetch();

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;
// Export quickly so the test does not wait out the SDK's 5 s batching delay.
const fastExport = { OTEL_BSP_SCHEDULE_DELAY: '100' };

async function tracedStack(receiver: OtlpReceiver, protocol?: string): Promise<Stack> {
  const env = {
    ...fastExport,
    OTEL_EXPORTER_OTLP_ENDPOINT: await receiver.start(),
    ...(protocol ? { OTEL_EXPORTER_OTLP_PROTOCOL: protocol } : {}),
  };
  return startStack({ auxiliaryEnv: env, mainEnv: env });
}

describe('traces across both services (OTLP/JSON)', () => {
  const receiver = new OtlpReceiver();
  let stack: Stack;
  let value: string;
  before(async () => {
    stack = await tracedStack(receiver, 'http/json');
    value = stack.seeded.parameters['/test/apps/config/hotel'] ?? '';
    assert.ok(value.length > 0);
  });
  after(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  it('one request yields one trace: main-api → auxiliary-service → SSM.GetParameter', async () => {
    const response = await fetch(`${stack.main.url}/parameter?name=/test/apps/config/hotel`, {
      headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` },
    });
    assert.equal(response.status, 200);
    const inTrace = () => receiver.spans.filter((span) => span.traceId === TRACE);
    await receiver.waitFor(() => inTrace().some((span) => span.name === 'SSM.GetParameter'));
    await receiver.waitFor(() => inTrace().length >= 4);

    const spans = inTrace();
    const one = (match: (span: ReceivedSpan) => boolean, what: string) => {
      const found = spans.filter(match);
      assert.equal(found.length, 1, `exactly one ${what} span, got ${found.map((s) => s.name).join(', ')}`);
      return found[0] as ReceivedSpan;
    };
    const mainServer = one((s) => s.service === 'main-api' && s.kind === SERVER, 'main-api server');
    const mainClient = one((s) => s.service === 'main-api' && s.kind === CLIENT, 'main-api client');
    const auxServer = one((s) => s.service === 'auxiliary-service' && s.kind === SERVER, 'auxiliary server');
    const getParameter = one((s) => s.name === 'SSM.GetParameter', 'GetParameter');

    assert.equal(mainServer.name, 'GET /parameter');
    assert.equal(mainServer.parentSpanId, CALLER_SPAN);
    assert.equal(mainClient.parentSpanId, mainServer.spanId);
    assert.equal(auxServer.name, 'GET /parameter');
    assert.equal(auxServer.parentSpanId, mainClient.spanId);
    assert.equal(getParameter.service, 'auxiliary-service');
    assert.equal(getParameter.kind, CLIENT);
    assert.equal(getParameter.parentSpanId, auxServer.spanId);
    assert.deepEqual(
      {
        system: getParameter.attributes['rpc.system'],
        service: getParameter.attributes['rpc.service'],
        method: getParameter.attributes['rpc.method'],
      },
      { system: 'aws-api', service: 'SSM', method: 'GetParameter' },
    );
    assert.equal(getParameter.attributes['http.response.status_code'], 200);

    // No span carries the parameter's value, or the query it was asked with.
    for (const span of spans) {
      const text = JSON.stringify(span);
      assert.ok(!text.includes(value), `${span.name} holds the parameter value`);
      assert.ok(!text.includes('name='), `${span.name} holds the query`);
    }
  });

  it('a name SSM does not hold: both services’ spans, and no GetParameter (the quota guard)', async () => {
    const response = await fetch(`${stack.main.url}/parameter?name=/test/apps/config/missing`);
    assert.equal(response.status, 404);
    const traceId = await findTraceOf404();
    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    await receiver.waitFor(() =>
      inTrace().some((s) => s.service === 'auxiliary-service' && s.kind === SERVER),
    );
    const names = inTrace().map((s) => s.name);
    assert.ok(!names.includes('SSM.GetParameter'), names.join(', '));
    const auxServer = inTrace().find((s) => s.service === 'auxiliary-service' && s.kind === SERVER);
    assert.equal(auxServer?.attributes['http.response.status_code'], 404);
  });

  async function findTraceOf404(): Promise<string> {
    const isIt = (s: ReceivedSpan) =>
      s.service === 'main-api' && s.kind === SERVER && s.attributes['http.response.status_code'] === 404;
    await receiver.waitFor(() => receiver.spans.some(isIt));
    return receiver.spans.find(isIt)?.traceId ?? '';
  }
});

describe('the default protocol is OTLP/HTTP protobuf', () => {
  const receiver = new OtlpReceiver();
  let stack: Stack;
  before(async () => {
    stack = await tracedStack(receiver);
  });
  after(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  it('exports protobuf bodies holding the trace and the span names', async () => {
    await fetch(`${stack.main.url}/buckets`, { headers: { traceparent: `00-${TRACE}-${CALLER_SPAN}-01` } });
    const traceBytes = Buffer.from(TRACE, 'hex');
    const received = () => Buffer.concat(receiver.protobufBodies);
    await receiver.waitFor(
      () => received().includes('S3.ListBuckets') && received().includes('GET /buckets'),
    );
    assert.ok(received().includes(traceBytes), 'the trace id travels as 16 raw bytes');
  });
});
