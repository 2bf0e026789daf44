/**
 * The kubelet's probes and Prometheus' scrape: the platform's own traffic, not the API's. It is
 * never shed under load (a busy pod must not flap) and never recorded as spans (it would fill the
 * trace store), so both rules read this one list.
 */
export const PROBE_AND_SCRAPE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);
