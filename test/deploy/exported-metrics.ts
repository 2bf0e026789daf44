// What the services really export at /metrics: both apps built in-process (AWS SDK mocked,
// main-api calling auxiliary-service over loopback), driven through the paths that create
// series (cache hits and misses, a spent AWS call budget, upstream calls, load shedding),
// then scraped. The monitoring tests compare the dashboard and the alerting rules with this,
// not with a hand-kept list of names.
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildAuxiliary } from '../../services/auxiliary/src/app';
import { loadAuxiliaryConfig } from '../../services/auxiliary/src/config';
import { buildApp as buildMainApi } from '../../services/main-api/src/app';
import { loadMainConfig } from '../../services/main-api/src/config';

/** One service's scrape: series name (histograms as _bucket/_sum/_count) → label names seen. */
export interface Scrape {
  /** The value of the `service` label every series carries. */
  service: string;
  /** `# TYPE` families: name → counter | gauge | histogram | summary. */
  families: Map<string, string>;
  series: Map<string, Set<string>>;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g;

/** Parses the Prometheus text exposition format (as prom-client writes it). */
export function parseExposition(text: string): Omit<Scrape, 'service'> & { services: Set<string> } {
  const families = new Map<string, string>();
  const series = new Map<string, Set<string>>();
  const services = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      families.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const labels = series.get(sample[1] as string) ?? new Set<string>();
    for (const match of (sample[2] ?? '').matchAll(LABEL)) labels.add(match[1] as string);
    const service = /(?:^|,)service="([^"]*)"/.exec(sample[2] ?? '');
    if (service) services.add(service[1] as string);
    series.set(sample[1] as string, labels);
  }
  return { families, series, services };
}

/** The series names a family exports: a histogram is its _bucket, _sum and _count. */
export function seriesOf(family: string, type: string): string[] {
  if (type === 'histogram') return [`${family}_bucket`, `${family}_sum`, `${family}_count`];
  if (type === 'summary') return [family, `${family}_sum`, `${family}_count`];
  return [family];
}

async function scrape(app: FastifyInstance): Promise<Scrape> {
  const response = await app.inject('/metrics');
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}`);
  const { families, series, services } = parseExposition(response.body);
  if (services.size !== 1) throw new Error(`one service label value expected, got ${[...services]}`);
  return { service: [...services][0] as string, families, series };
}

const PARAMETER = '/test/apps/config/env_name';

/** Builds both services, makes the requests that create their series, and scrapes them. */
export async function scrapeBothServices(): Promise<Scrape[]> {
  const credentials = { accessKeyId: 'AKIAMETRICSTEST00000', secretAccessKey: 'metrics-test' };
  const ssm = new SSMClient({ region: 'eu-west-1', credentials });
  const s3 = new S3Client({ region: 'eu-west-1', credentials });
  const ssmMock = mockClient(ssm);
  const s3Mock = mockClient(s3);
  ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: PARAMETER }] });
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: PARAMETER, Value: 'test', Type: 'String' } });
  s3Mock.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'test-apps-main' }] });
  const apps: FastifyInstance[] = [];
  try {
    const { app: aux } = await buildAuxiliary(
      loadAuxiliaryConfig({
        AWS_REGION: 'eu-west-1',
        ENVIRONMENT_NAME: 'test',
        LOG_LEVEL: 'silent',
        CACHE_PARAMETER_TTL_MS: '0',
        // Three tokens, one held for /readyz: the listing and one GetParameter are made, the
        // next call is refused (aws_budget_rejections_total gets its series).
        AWS_CALL_BURST: '3',
        AWS_CALL_RATE: '0.01',
      }),
      { clients: { ssm, s3 } },
    );
    apps.push(aux);
    await aux.listen({ host: '127.0.0.1', port: 0 });
    const auxiliaryUrl = `http://127.0.0.1:${(aux.server.address() as AddressInfo).port}`;
    const mainConfig = { AUXILIARY_URL: auxiliaryUrl, LOG_LEVEL: 'silent' };
    const { app: main } = await buildMainApi(loadMainConfig(mainConfig));
    apps.push(main);
    // Sheds everything once armed (any heap is above 1 MB): http_requests_shed_total's series.
    const { app: overloaded } = await buildMainApi(
      loadMainConfig({ ...mainConfig, LOAD_SHED_MAX_HEAP_MB: '1' }),
    );
    apps.push(overloaded);
    await overloaded.ready();

    const parameter = `/parameter?name=${encodeURIComponent(PARAMETER)}`;
    await main.inject(parameter); // listing + GetParameter through main-api: upstream series
    await main.inject(parameter); // budget spent: rejection
    await main.inject('/parameter?name=/test/apps/unknown'); // answered from the listing
    await aux.inject('/parameter?name=not//valid'); // refused by the name check
    await aux.inject('/readyz'); // ssm_reachable, with the reserved token
    await main.inject('/buckets');
    await main.inject('/healthz');

    // Its 503s could also be auxiliary-service's (the budget is spent): wait for the counter.
    const deadline = Date.now() + 5_000;
    let overloadedScrape = await scrape(overloaded);
    while (!overloadedScrape.series.has('http_requests_shed_total')) {
      if (Date.now() > deadline) throw new Error('load shedding did not start');
      await sleep(100);
      await overloaded.inject('/buckets');
      overloadedScrape = await scrape(overloaded);
    }
    const [auxScrape, mainScrape] = await Promise.all([aux, main].map(scrape));
    // The overloaded twin only adds the shed counter's labels to main-api's picture.
    for (const [name, labels] of overloadedScrape.series) {
      const known = (mainScrape as Scrape).series.get(name) ?? new Set<string>();
      (mainScrape as Scrape).series.set(name, new Set([...known, ...labels]));
    }
    return [mainScrape as Scrape, auxScrape as Scrape];
  } finally {
    for (const app of apps.reverse()) await app.close();
    ssmMock.restore();
    s3Mock.restore();
  }
}
