// How `npm start` shows the services' log lines. The services always write one JSON object per
// line (what a log pipeline reads, and what they print in containers); only this parent, and
// only when a person watches a terminal, rewrites each line for reading. Piped or redirected,
// the lines pass through untouched, so `npm start --silent | jq` works.
import { prettyFactory } from 'pino-pretty';

export interface LogLineOptions {
  /** Rewrite JSON records for reading (stdout is a terminal). */
  pretty: boolean;
  /** ANSI colours (the terminal supports them and NO_COLOR is not set). */
  colors: boolean;
}

/** A pino record: a JSON object with a numeric level; anything else is shown as it came. */
function record(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' &&
      value !== null &&
      typeof (value as { level?: unknown }).level === 'number'
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the text to print for one line a service wrote (without the trailing newline). */
export function logLineFormatter({
  pretty,
  colors,
}: LogLineOptions): (service: string, line: string) => string {
  if (!pretty) return (_service, line) => line;
  const prettify = prettyFactory({
    colorize: colors,
    translateTime: 'SYS:HH:MM:ss.l',
    // Every record carries them; the prefix names the service, the version is the same all run.
    ignore: 'pid,hostname,service,version',
    // One line per record: the two services' lines interleave.
    singleLine: true,
  });
  const width = Math.max('auxiliary-service'.length, 'main-api'.length);
  const continuation = `\n${' '.repeat(width)} │ `;
  return (service, line) => {
    const parsed = record(line);
    // Errors keep their stack on the lines that follow, under the same gutter.
    const text = parsed ? prettify(parsed).trimEnd().replaceAll('\n', continuation) : line;
    return `${service.padEnd(width)} │ ${text}`;
  };
}
