// What the benchmark reads from the processes under load: Prometheus counters, memory, the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';

/** Sums `metric` from a Prometheus text page, grouped by the value of `label`. */
export function sumBy(page: string, metric: string, label: string): Record<string, number> {
  const sums: Record<string, number> = {};
  const line = new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`);
  for (const text of page.split('\n')) {
    const match = line.exec(text);
    if (!match) continue;
    const key = new RegExp(`${label}="([^"]*)"`).exec(match[1] ?? '')?.[1] ?? '';
    sums[key] = (sums[key] ?? 0) + Number(match[2]);
  }
  return sums;
}

export async function awsCalls(serviceUrl: string): Promise<Record<string, number>> {
  const response = await fetch(`${serviceUrl}/metrics`);
  return sumBy(await response.text(), 'aws_requests_total', 'operation');
}

/** after − before, per key, keeping only keys that changed. */
export function difference(before: Record<string, number>, after: Record<string, number>) {
  const changed: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta !== 0) changed[key] = delta;
  }
  return changed;
}

/** Resident memory in MB (10^6 bytes): current (VmRSS) and the process's peak so far (VmHWM). */
export function memoryOf(pid: number): { rssMB: number; peakMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMB: (kib('VmRSS') * 1024) / 1e6, peakMB: (kib('VmHWM') * 1024) / 1e6 };
}

export function machine() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    node: process.version,
    os: `${process.platform} ${release()}`,
  };
}

const CLOCK_TICKS_PER_SECOND =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/**
 * CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat. Divided by the
 * requests served it gives CPU per request, which moves far less than req/s when other work
 * shares the machine.
 */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Write-type system calls (write, writev…) the process has made so far, all threads, from /proc/<pid>/io. */
export function writeSyscalls(pid: number): number {
  return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}
