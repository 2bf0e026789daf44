// What the benchmark reads from the processes under load: Prometheus counters, memory, the machine.
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
