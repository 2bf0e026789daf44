// `npm start`: the whole system on loopback, no AWS account and no Docker needed.
// stdout carries the services' log lines (readable in a terminal, JSON when piped); what this
// script itself has to say goes to stderr, so a pipe reads nothing but JSON.
import { logLineFormatter } from './log-lines';
import { MOTO_INSTALL_HINT, motoAvailable } from './moto';
import { LOCAL_REGION, startStack } from './stack';

const parent = process.ppid;

const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a port number`);
    process.exit(2);
  }
  return value;
};

if (!motoAvailable()) {
  console.error(MOTO_INSTALL_HINT);
  process.exit(1);
}

const formatLine = logLineFormatter({
  pretty: process.stdout.isTTY === true,
  colors: process.stdout.isTTY === true && process.stdout.hasColors(),
});

// The caller's OTEL_* settings reach both services: with OTEL_EXPORTER_OTLP_ENDPOINT set, a local
// collector (Jaeger, an OpenTelemetry Collector) receives the traces. Nothing else is passed on.
const tracingSettings = Object.fromEntries(
  Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[0].startsWith('OTEL_') && entry[1] !== undefined,
  ),
);
const serviceEnv = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...tracingSettings };

const stack = await startStack({
  motoPort: port('MOTO_PORT', 0) || undefined,
  auxiliaryPort: port('AUXILIARY_PORT', 8001),
  mainPort: port('MAIN_PORT', 8080),
  auxiliaryEnv: serviceEnv,
  mainEnv: serviceEnv,
  onLine: (service, line, stream) => {
    if (service === 'moto') return;
    // The services log on stdout; their stderr (a crash, a Node warning) stays stderr.
    if (stream === 'stderr') process.stderr.write(`${service}: ${line}\n`);
    else process.stdout.write(`${formatLine(service, line)}\n`);
  },
}).catch((error: unknown) => {
  console.error(
    `could not start the local system: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});

const { main, auxiliary, moto, seeded } = stack;
console.error(`
Local system is up (environment "${seeded.environment}", region ${LOCAL_REGION}):
  main-api           ${main.url}
  auxiliary-service  ${auxiliary.url}
  AWS emulator       ${moto.endpoint} (moto; buckets: ${seeded.buckets.join(', ')})

Try:
  curl ${main.url}/buckets
  curl ${main.url}/parameters
  curl '${main.url}/parameter?name=/test/apps/config/env_name'

Ctrl-C stops everything.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.error('stopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// If whatever started us (npm, a shell) is killed without passing the signal on, we are
// re-parented: stop the children rather than leave them running.
setInterval(() => {
  if (process.ppid !== parent) void stop();
}, 500).unref();
for (const child of [main, auxiliary, moto]) {
  child.child.once('exit', (code) => {
    if (stopping) return;
    console.error(`${child.name} exited unexpectedly (code ${code}); stopping the rest`);
    void stop();
  });
}
