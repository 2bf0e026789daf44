// `npm start` shows the services' JSON log lines readably in a terminal and untouched otherwise:
// the formatter on lines a real service logger wrote, then start.ts itself, once with its
// output piped (every stdout line must be the services' JSON) and once on a pseudo-terminal
// (`script`), where the same records must come out as readable lines.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { logLineFormatter } from '../../scripts/local/log-lines';
import { buildApp } from '../../services/main-api/src/app';
import { loadMainConfig } from '../../services/main-api/src/config';
import { OtlpReceiver } from '../support/otlp-receiver';

const START = fileURLToPath(new URL('../../scripts/local/start.ts', import.meta.url));
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what is looked for.
const ANSI = /\u001b\[[0-9;]*m/;

/** Log lines main-api's own logger writes for one request that fails upstream (a 502). */
async function realLogLines(): Promise<string[]> {
  const stream = new PassThrough();
  let output = '';
  stream.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  // Port 9 (discard) on loopback: nothing listens, the call fails at once.
  const config = loadMainConfig({
    AUXILIARY_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'info',
    VERSION: 'v-pretty',
  });
  const { app } = await buildApp(config, { logStream: stream });
  await app.inject({ url: '/buckets', headers: { 'x-request-id': 'pretty-logs-test-1' } });
  await app.close();
  return output.split('\n').filter((line) => line !== '');
}

describe('log line formatter', () => {
  it('in a terminal: time, level, message and fields on one line under the service name', async () => {
    const lines = await realLogLines();
    const completed = lines.find((line) => line.includes('request completed'));
    assert.ok(completed, lines.join('\n'));
    const record = JSON.parse(completed) as { time: number };
    const shown = logLineFormatter({ pretty: true, colors: false })('main-api', completed);
    const time = new Date(record.time);
    const hhmmss = [time.getHours(), time.getMinutes(), time.getSeconds()]
      .map((n) => String(n).padStart(2, '0'))
      .join(':');
    assert.match(shown, /^main-api +│ /);
    assert.ok(shown.includes(`[${hhmmss}.${String(time.getMilliseconds()).padStart(3, '0')}]`), shown);
    assert.match(shown, /\bINFO\b.*request completed/);
    assert.match(shown, /"requestId":"pretty-logs-test-1"/);
    assert.match(shown, /"statusCode":502/);
    assert.doesNotMatch(shown, /"level"|"time"|"service"|"version"/, 'the header fields are not repeated');
    assert.equal(shown.includes('\n'), false);
    assert.doesNotMatch(shown, ANSI);
    assert.match(logLineFormatter({ pretty: true, colors: true })('main-api', completed), ANSI);
  });

  it('in a terminal: an error keeps its stack on the following lines, under the same gutter', () => {
    const line = JSON.stringify({
      level: 50,
      time: Date.now(),
      service: 'auxiliary-service',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at handler (app.ts:1:1)' },
      msg: 'request failed',
    });
    const shown = logLineFormatter({ pretty: true, colors: false })('auxiliary-service', line).split('\n');
    assert.match(shown[0] as string, /^auxiliary-service │ .*ERROR.*request failed/);
    assert.ok(shown.length > 2);
    for (const rest of shown.slice(1)) assert.match(rest, /^ {17} │ /);
    assert.ok(shown.some((l) => l.includes('at handler (app.ts:1:1)')));
  });

  it('in a terminal: a line that is not a log record is shown as it came', () => {
    const format = logLineFormatter({ pretty: true, colors: false });
    for (const line of ['invalid configuration: PORT must be an integer', '{"not":"a record"}', '{broken'])
      assert.equal(format('main-api', line), `main-api          │ ${line}`);
  });

  it('piped: every line exactly as the service wrote it', async () => {
    const format = logLineFormatter({ pretty: false, colors: false });
    for (const line of [...(await realLogLines()), 'not json']) assert.equal(format('main-api', line), line);
  });
});

describe('npm start output', () => {
  const running: ChildProcess[] = [];
  after(() => {
    // Each started in its own process group: stop that group, the services included.
    for (const child of running) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGINT');
  });

  /** Starts start.ts (on free ports), requests /buckets once it is up, and returns its stdout. */
  async function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const child = spawn(command, args, {
      env: { ...process.env, MOTO_PORT: '0', AUXILIARY_PORT: '0', MAIN_PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.push(child);
    let stdout = '';
    let everything = '';
    const up = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not up within 60 s:\n${everything}`)), 60_000);
      const seen = (chunk: Buffer) => {
        everything += chunk.toString('utf8');
        const url = /main-api +(http:\/\/127\.0\.0\.1:\d+)/.exec(everything)?.[1];
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      };
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        seen(chunk);
      });
      child.stderr?.on('data', seen);
      child.once('exit', (code) => reject(new Error(`start.ts exited with ${code}:\n${everything}`)));
    });
    const url = await up;
    const response = await fetch(`${url}/buckets`, { headers: { 'x-request-id': 'npm-start-output' } });
    assert.equal(response.status, 200);
    // main-api logs the completed request just after answering: wait for that line.
    const deadline = Date.now() + 10_000;
    while (!stdout.includes('npm-start-output') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const exited = once(child, 'exit');
    process.kill(-(child.pid as number), 'SIGINT');
    await exited;
    return stdout;
  }

  it('piped: stdout is nothing but the services’ JSON lines', async () => {
    const stdout = await run(process.execPath, ['--import', 'tsx', START]);
    const lines = stdout.split('\n').filter((line) => line !== '');
    assert.ok(lines.length > 0);
    const services = new Set<string>();
    for (const line of lines) {
      const record = JSON.parse(line) as { service?: string; level?: number };
      assert.equal(typeof record.level, 'number', line);
      services.add(record.service as string);
    }
    assert.deepEqual([...services].sort(), ['auxiliary-service', 'main-api']);
    assert.ok(lines.some((line) => line.includes('"requestId":"npm-start-output"')));
  });

  it('passes the caller’s OTEL_* settings to both services: a local collector gets the trace', async () => {
    const receiver = new OtlpReceiver();
    try {
      const endpoint = await receiver.start();
      const stdout = await run(process.execPath, ['--import', 'tsx', START], {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      });
      // Spans still buffered at SIGINT are flushed in the drain, so they have arrived by now.
      const line = stdout.split('\n').find((l) => l.includes('"requestId":"npm-start-output"')) ?? '{}';
      const { trace_id: traceId } = JSON.parse(line) as { trace_id?: string };
      const services = new Set(receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.service));
      assert.deepEqual([...services].sort(), ['auxiliary-service', 'main-api']);
    } finally {
      await receiver.stop();
    }
  });

  it('on a terminal: the same records come out readable', async () => {
    // `script` runs the command on a pseudo-terminal: stdout.isTTY is true there. util-linux's
    // (Linux) takes the command as a string; the BSD one (macOS) as arguments.
    const command = [process.execPath, '--import', 'tsx', START].map((part) => `'${part}'`).join(' ');
    const output =
      process.platform === 'darwin'
        ? await run('script', ['-q', '/dev/null', process.execPath, '--import', 'tsx', START])
        : await run('script', ['-qfec', command, '/dev/null']);
    const lines = output.split(/\r?\n/);
    const request = lines.filter((line) => line.includes('npm-start-output'));
    assert.ok(request.length > 0, output);
    for (const line of request) {
      assert.match(line, /^(main-api|auxiliary-service) +│ \S*\[\d\d:\d\d:\d\d\.\d{3}\]/, line);
      assert.doesNotMatch(line, /"level":/);
    }
  });
});
