// The optional monitoring components under deploy/components/monitoring/: they render onto the
// base manifests without changing them, the Prometheus Operator objects pass their schemas,
// Prometheus can scrape both services through the NetworkPolicies, and every query of the
// alerting rules and the Grafana dashboard parses and asks only for series the services
// really export (built and scraped in-process, see exported-metrics.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  PrometheusRule,
  ServiceMonitor,
} from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IConfigMap, IService } from 'kubernetes-models/v1';
import { parse } from 'yaml';
import { type Scrape, scrapeBothServices, seriesOf } from './exported-metrics';
import { selects, workloads } from './k8s';
import { APPS, ROOT, render, renderWithOptions } from './manifests';
import { type Endpoint, Network } from './network';
import { policyViolations } from './policy';
import { interpolateGrafana, type ParsedQuery, parsePromQL } from './promql';
import { type Manifest, MODELS, schemaProblems } from './schemas';

// Only these optional components use the Prometheus Operator's kinds, so their models are
// registered here rather than in schemas.ts (each test file runs in its own process).
MODELS['monitoring.coreos.com/v1/ServiceMonitor'] = ServiceMonitor;
MODELS['monitoring.coreos.com/v1/PrometheusRule'] = PrometheusRule;

const SCRAPE = '../components/monitoring';
const RULES = '../components/monitoring/dashboard-and-alerts';
const DASHBOARD_FILE = 'deploy/components/monitoring/dashboard-and-alerts/grafana-dashboard.json';
/** Labels Prometheus puts on every series of a ServiceMonitor target. */
const TARGET_LABELS = new Set(['namespace', 'service', 'pod', 'container', 'endpoint', 'job', 'instance']);
/** Series Prometheus writes itself for each target rather than scraping them. */
const PROMETHEUS_SERIES = new Map([['up', new Set<string>()]]);
/** prom-client's default metrics: runtime, not part of the services' own API. */
const RUNTIME_METRIC = /^(nodejs|process)_/;

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { type: string; uid: string };
  targets?: { expr: string; refId: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: {
    list: { name: string; type: string; query: string; includeAll?: boolean; multi?: boolean }[];
  };
}

const kindOf = (objects: Manifest[], kind: string) => objects.filter((object) => object.kind === kind);
const strip = (objects: Manifest[]) => JSON.parse(JSON.stringify(objects)) as Manifest[];
const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARD_FILE), 'utf8')) as Dashboard;
const rendered = {
  'main-api': renderWithOptions('deploy/main', { components: [SCRAPE, RULES] }),
  'auxiliary-service': renderWithOptions('deploy/auxiliary', { components: [SCRAPE] }),
};
const ruleObject = kindOf(rendered['main-api'], 'PrometheusRule')[0] as Manifest & {
  spec: { groups: { name: string; rules: Rule[] }[] };
};
const rules = ruleObject.spec.groups.flatMap((group) => group.rules);
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const serviceVariable = dashboard.templating.list.find((variable) => variable.name === 'service');
/** Dashboard queries as Grafana sends them with every service selected. */
const dashboardQueries = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({
    where: `panel "${panel.title}" ${target.refId}`,
    expr: interpolateGrafana(target.expr, {
      service: (serviceVariable?.query ?? '').split(',').join('|'),
      __rate_interval: '2m',
    }),
  })),
);
const ruleQueries = rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr }));

describe('monitoring components: rendering', () => {
  for (const { app, deployDir } of APPS) {
    it(`${app}: adds only monitoring objects, every one valid and within the deployment policy`, () => {
      const base = render(deployDir);
      const objects = rendered[app];
      assert.equal(
        base.some((object) => object.apiVersion.startsWith('monitoring.coreos.com/')),
        false,
        'the base manifests must not need the Prometheus Operator',
      );
      const key = (object: Manifest) => `${object.kind}/${object.metadata.name}`;
      const baseKeys = new Set(base.map(key));
      assert.deepEqual(
        strip(objects.filter((object) => baseKeys.has(key(object)))),
        strip(base),
        'the base objects must be unchanged',
      );
      const added = objects.filter((object) => !baseKeys.has(key(object))).map(key);
      const expected = [
        'ServiceMonitor/aws-k8s-platform',
        'NetworkPolicy/allow-ingress-metrics-from-prometheus',
      ];
      if (app === 'main-api')
        expected.push('PrometheusRule/aws-k8s-platform', 'ConfigMap/aws-k8s-platform-dashboard');
      assert.deepEqual(added.sort(), expected.sort());
      for (const object of objects) assert.deepEqual(schemaProblems(object), [], key(object));
      assert.deepEqual(policyViolations(objects), []);
    });

    it(`${app}: the ServiceMonitor scrapes /metrics on the one Service's http port`, () => {
      const objects = rendered[app];
      const [monitor] = kindOf(objects, 'ServiceMonitor') as unknown as (Manifest & {
        spec: {
          selector: { matchLabels?: Record<string, string> };
          endpoints: { port?: string; path?: string }[];
        };
      })[];
      assert.ok(monitor);
      const services = kindOf(objects, 'Service') as unknown as (IService & Manifest)[];
      const selected = services.filter((service) =>
        selects(monitor.spec.selector, (service.metadata.labels ?? {}) as Record<string, string>),
      );
      assert.deepEqual(
        selected.map((service) => service.metadata.name),
        [app],
      );
      assert.deepEqual(monitor.spec.endpoints, [
        { port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' },
      ]);
      assert.ok(selected[0]?.spec?.ports?.some((port) => port.name === 'http'));
    });

    it(`${app}: Prometheus in the monitoring namespace may scrape the pods, nothing else it may not already`, () => {
      const [workload] = workloads(rendered[app]);
      assert.ok(workload);
      const port = workload.ports.get('http') as number;
      const prometheus: Endpoint = {
        namespace: 'monitoring',
        labels: {
          'app.kubernetes.io/name': 'prometheus',
          'app.kubernetes.io/managed-by': 'prometheus-operator',
        },
      };
      const grafana: Endpoint = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } };
      const withComponent = new Network(rendered[app]);
      const without = new Network(render(APPS.find((a) => a.app === app)?.deployDir as string));
      assert.ok(withComponent.allows(prometheus, workload, port), 'Prometheus → pod http port');
      assert.equal(withComponent.allows(prometheus, workload, port + 1), false, 'another port');
      // main-api's port is open to every client anyway; auxiliary-service's only to main-api.
      const openToAll = app === 'main-api';
      assert.equal(without.allows(prometheus, workload, port), openToAll, 'without the component');
      assert.equal(withComponent.allows(grafana, workload, port), openToAll, 'another pod of monitoring');
    });
  }

  it('the dashboard ConfigMap carries the Grafana sidecar label and the committed JSON', () => {
    const [configMap, ...others] = kindOf(rendered['main-api'], 'ConfigMap') as unknown as IConfigMap[];
    assert.equal(others.length, 0);
    assert.equal(configMap?.metadata?.labels?.grafana_dashboard, '1');
    const data = configMap?.data ?? {};
    assert.deepEqual(Object.keys(data), ['aws-k8s-platform.json']);
    assert.deepEqual(JSON.parse(data['aws-k8s-platform.json'] as string), dashboard);
    // Argo CD applies client-side, keeping a copy in the last-applied annotation (256 KiB at most).
    assert.ok(JSON.stringify(configMap).length < 200 * 1024, 'the dashboard must stay well under 256 KiB');
  });

  it('the components need each other in one direction only: the rules are rendered once', () => {
    const ruleCount = Object.values(rendered).flatMap((objects) => kindOf(objects, 'PrometheusRule')).length;
    assert.equal(ruleCount, 1, 'dashboard-and-alerts goes into one application, or every alert fires twice');
    const component = parse(
      readFileSync(join(ROOT, 'deploy/components/monitoring/kustomization.yaml'), 'utf8'),
    );
    assert.equal(component.kind, 'Component');
    assert.ok(
      !JSON.stringify(component).includes('dashboard-and-alerts/'),
      'scraping must not pull in the rules',
    );
  });
});

describe('monitoring components: queries against what the services export', () => {
  let scrapes: Scrape[] = [];
  /** Series name → label names, over both services, plus what Prometheus adds. */
  const series = new Map<string, Set<string>>();

  before(async () => {
    scrapes = await scrapeBothServices();
    const sampled = new Map<string, Set<string>>();
    for (const scrape of scrapes)
      for (const [name, labels] of scrape.series)
        sampled.set(name, new Set([...(sampled.get(name) ?? []), ...labels]));
    for (const scrape of scrapes) {
      for (const [family, type] of scrape.families) {
        for (const name of seriesOf(family, type)) {
          // A family without samples would leave its labels unknown: the scrape drives every one
          // of the services' own (some runtime gauges only appear once their resource is used).
          assert.ok(
            sampled.has(name) || RUNTIME_METRIC.test(family),
            `${name} has no sample in either service; exercise it in exported-metrics.ts`,
          );
          series.set(name, new Set([...(sampled.get(name) ?? []), ...TARGET_LABELS]));
        }
      }
    }
    for (const [name, labels] of PROMETHEUS_SERIES) {
      assert.ok(!series.has(name), `${name} is Prometheus's own series, the services must not export it`);
      series.set(name, new Set([...labels, ...TARGET_LABELS]));
    }
  });

  /** Problems of one query: syntax, unknown series, labels the series do not have. */
  function queryProblems(query: ParsedQuery): string[] {
    const problems = [...query.errors];
    const labelsInQuery = new Set(['le']);
    for (const { metric, matchers } of query.selectors) {
      const labels = series.get(metric);
      if (!labels) {
        problems.push(`${metric} is not exported by either service`);
        continue;
      }
      for (const label of labels) labelsInQuery.add(label);
      for (const { label } of matchers)
        if (!labels.has(label)) problems.push(`${metric} has no label ${label}`);
    }
    for (const label of query.groupingLabels)
      if (!labelsInQuery.has(label)) problems.push(`no series of the query has the label ${label}`);
    return problems;
  }

  it('the checks can fail: a syntax error, an unknown series and a misspelt label are reported', () => {
    assert.notDeepEqual(parsePromQL('sum(rate(http_requests_total[5m])').errors, []);
    assert.deepEqual(queryProblems(parsePromQL('rate(http_requests_totals[5m])')), [
      'http_requests_totals is not exported by either service',
    ]);
    assert.deepEqual(
      queryProblems(parsePromQL('sum by (status) (rate(http_requests_total{code="500"}[5m]))')),
      ['http_requests_total has no label code', 'no series of the query has the label status'],
    );
  });

  for (const [what, queries] of [
    ['alerting rule', ruleQueries],
    ['dashboard panel', dashboardQueries],
  ] as const) {
    it(`every ${what} query parses and asks for exported series and labels`, () => {
      assert.ok(queries.length > 0);
      for (const { where, expr } of queries) assert.deepEqual(queryProblems(parsePromQL(expr)), [], where);
    });
  }

  it('the services named in the queries are the services: their `service` label and Service name', () => {
    const services: string[] = scrapes.map((scrape) => scrape.service).sort();
    assert.deepEqual(services, APPS.map(({ app }) => app).sort());
    // Prometheus's target label `service` is the Kubernetes Service's name; it must agree with
    // the label the services put on their own series, or the two would be told apart.
    for (const { app } of APPS)
      assert.ok(kindOf(rendered[app], 'Service').some((service) => service.metadata.name === app));
    assert.deepEqual(serviceVariable?.query.split(',').sort(), services);
    for (const { where, expr } of [...ruleQueries, ...dashboardQueries]) {
      for (const { metric, matchers } of parsePromQL(expr).selectors) {
        const named = matchers.filter((matcher) => matcher.label === 'service');
        assert.ok(
          named.length > 0,
          `${where}: ${metric} must be filtered by service (other apps export it too)`,
        );
        for (const { op, value } of named) {
          assert.ok(op === '=' || op === '=~', `${where}: service ${op}`);
          for (const name of value.split('|'))
            assert.ok(new Set<string>(services).has(name), `${where}: service ${name}`);
        }
      }
    }
  });

  it('every metric the services export (runtime defaults aside) is on the dashboard', () => {
    const onDashboard = new Set(
      dashboardQueries.flatMap(({ expr }) => parsePromQL(expr).selectors.map(({ metric }) => metric)),
    );
    for (const scrape of scrapes) {
      for (const [family, type] of scrape.families) {
        if (RUNTIME_METRIC.test(family)) continue;
        assert.ok(
          seriesOf(family, type).some((name) => onDashboard.has(name)),
          `${scrape.service} exports ${family} but no panel of ${DASHBOARD_FILE} shows it`,
        );
      }
    }
  });
});

describe('monitoring components: rule and dashboard structure', () => {
  it('alerts: named, with a duration, a known severity and a summary', () => {
    const names = rules.map((rule) => rule.alert);
    assert.equal(new Set(names).size, names.length, 'alert names are unique');
    for (const rule of rules) {
      assert.match(rule.alert ?? '', /^[A-Z][A-Za-z0-9]+$/);
      assert.match(rule.for ?? '', /^\d+m$/, `${rule.alert}: for`);
      assert.ok(['warning', 'critical'].includes(rule.labels?.severity ?? ''), `${rule.alert}: severity`);
      assert.ok(rule.annotations?.summary, `${rule.alert}: summary`);
    }
    // What the issue asks the rules to watch, each by the series that shows it.
    const watched = (metric: string) =>
      rules.filter((rule) => rule.expr.includes(metric)).map((r) => r.alert);
    for (const metric of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'aws_budget_rejections_total',
      'ssm_reachable',
      'http_requests_shed_total',
    ])
      assert.notDeepEqual(watched(metric), [], `no alert on ${metric}`);
    assert.ok(
      rules.some((rule) => /outcome="throttled"/.test(rule.expr)),
      'no alert on SSM throttling',
    );
  });

  it('alerts: the labels their annotations print survive the aggregation', () => {
    // `sum by (service)` drops every other label: {{ $labels.pod }} would print nothing.
    for (const rule of rules) {
      const { groupingLabels } = parsePromQL(rule.expr);
      const kept = groupingLabels.length > 0 ? groupingLabels : [...TARGET_LABELS];
      for (const text of Object.values(rule.annotations ?? {}))
        for (const [, label] of text.matchAll(/\$labels\.(\w+)/g))
          assert.ok(
            kept.includes(label as string),
            `${rule.alert}: $labels.${label} is not kept by ${rule.expr}`,
          );
    }
  });

  it('dashboard: unique panel ids, panels inside the 24-column grid, one data source variable', () => {
    const ids = panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const { title, gridPos } of panels) {
      assert.ok(gridPos.x >= 0 && gridPos.w > 0 && gridPos.x + gridPos.w <= 24, `${title}: gridPos`);
    }
    const datasource = dashboard.templating.list.find((variable) => variable.type === 'datasource');
    assert.equal(datasource?.query, 'prometheus');
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, `\${${datasource?.name}}`, `${panel.title}: data source`);
      assert.ok((panel.targets ?? []).length > 0, `${panel.title}: no query`);
    }
  });
});
