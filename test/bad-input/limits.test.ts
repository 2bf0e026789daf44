// Limits over real HTTP against the built services: oversized headers and URLs, request bodies,
// malformed requests and slowloris clients get a bounded 4xx problem+json, never a 5xx or a hang.
// No AWS is needed: every request here is refused before any route would call it.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type ServiceProcess, startAuxiliaryAt, startMainApiAt, stopAll } from '../support/system';

const HEADERS_TIMEOUT_MS = 10_000; // create-service.ts
const MARGIN_MS = 2_500;

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  ms: number;
}

/** Writes `chunks` on a fresh connection (all at once, or one per `everyMs`) and reads until it closes. */
function raw(port: number, chunks: string[], { everyMs = 0, timeoutMs = 20_000 } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let dribble: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      clearInterval(dribble);
      const [head = '', body = ''] = received.split('\r\n\r\n', 2);
      resolve({ status: Number(head.split(' ')[1] ?? 0), head, body, ms: performance.now() - started });
    });
    if (everyMs === 0) {
      socket.write(chunks.join(''));
    } else {
      // The first chunk once, then the others over and over.
      let next = 0;
      const send = () => {
        const chunk = next === 0 ? chunks[0] : chunks[1 + ((next - 1) % Math.max(1, chunks.length - 1))];
        next++;
        if (!socket.destroyed && chunk !== undefined) socket.write(chunk);
      };
      send();
      dribble = setInterval(send, everyMs);
    }
  });
}

function assertProblem(answer: RawAnswer, status: number, versionField: string) {
  assert.equal(answer.status, status, `${answer.head}\n\n${answer.body}`);
  assert.match(answer.head, /content-type: application\/problem\+json/i);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(typeof body[versionField], 'string', `${versionField} in ${answer.body}`);
  assert.match(answer.head, /x-content-type-options: nosniff/i);
}

describe('request limits over real HTTP', () => {
  let aux: ServiceProcess;
  let main: ServiceProcess;
  const targets: [string, () => ServiceProcess, string][] = [
    ['auxiliary-service', () => aux, 'auxiliary_version'],
    ['main-api', () => main, 'main_version'],
  ];

  before(async () => {
    // Nothing listens at port 9 on loopback: no request here may reach AWS or auxiliary-service.
    const seeded = {
      environment: 'test',
      serviceUserCredentials: { accessKeyId: 'AKIALIMITSTEST000000', secretAccessKey: 'limits-test' },
    };
    [aux, main] = await Promise.all([
      startAuxiliaryAt('http://127.0.0.1:9', seeded, { LOG_LEVEL: 'warn' }),
      startMainApiAt('http://127.0.0.1:9', { LOG_LEVEL: 'warn' }),
    ]);
  });

  after(() => stopAll(aux, main));

  for (const [name, service, versionField] of targets) {
    test(`${name}: headers over 16 KiB → 431 problem`, async () => {
      const answer = await raw(service().port, [
        `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      ]);
      assertProblem(answer, 431, versionField);
    });

    test(`${name}: a URL over 16 KiB → 431 problem`, async () => {
      const answer = await raw(service().port, [
        `GET /parameter?name=/test/apps/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ]);
      assertProblem(answer, 431, versionField);
    });

    test(`${name}: a URL the router cannot decode → 400 problem`, async () => {
      const answer = await raw(service().port, ['GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
      assertProblem(answer, 400, versionField);
    });

    test(`${name}: malformed request line → 400 problem`, async () => {
      const answer = await raw(service().port, ['NOT HTTP AT ALL\r\n\r\n']);
      assertProblem(answer, 400, versionField);
    });

    test(`${name}: request bodies are refused with 413 (length and chunked)`, async () => {
      const sized = await raw(service().port, [
        'POST /parameters HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      ]);
      assertProblem(sized, 413, versionField);
      const chunked = await raw(service().port, [
        'GET /parameters HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      ]);
      assertProblem(chunked, 413, versionField);
      const big = await raw(service().port, [
        `PUT /parameter HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(65_536)}`,
      ]);
      assertProblem(big, 413, versionField);
    });
  }

  test('slowloris: a client sending one header line a second is cut off at headersTimeout with 408', async () => {
    const slow = (port: number) =>
      raw(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'], { everyMs: 500 });
    const answers = await Promise.all([slow(aux.port), slow(main.port)]);
    for (const [index, answer] of answers.entries()) {
      const [name, , versionField] = targets[index] ?? [];
      assertProblem(answer, 408, String(versionField));
      assert.ok(answer.ms >= HEADERS_TIMEOUT_MS - 500, `${name}: cut at ${Math.round(answer.ms)} ms`);
      assert.ok(answer.ms <= HEADERS_TIMEOUT_MS + MARGIN_MS, `${name}: cut at ${Math.round(answer.ms)} ms`);
      console.log(`[measure] slowloris → ${name} 408 after ${Math.round(answer.ms)} ms`);
    }
  });
});
