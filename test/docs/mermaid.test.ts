// The Mermaid diagrams of the README and docs/ parse with Mermaid's own parser (the one GitHub's
// renderer runs), and the README's two diagrams say what the code and manifests do: the request
// path with the services' default budgets, the release path in its real order. Mermaid needs a
// DOM only for sanitising labels; jsdom provides one, nothing is rendered.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JSDOM } from 'jsdom';
import { DEFAULT_PORT as AUXILIARY_PORT, loadAuxiliaryConfig } from '../../services/auxiliary/src/config';
import { loadMainConfig, DEFAULT_PORT as MAIN_PORT } from '../../services/main-api/src/config';
import { ROOT } from '../deploy/manifests';

interface Flowchart {
  /** Node id → label (`<br/>` as `<br>`). */
  nodes: Map<string, string>;
  edges: { start: string; end: string; text: string }[];
}
type Mermaid = typeof import('mermaid').default;

const dom = new JSDOM('');
let mermaid: Mermaid;

const MARKDOWN = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((file) => `docs/${file}`)].filter(
  (file) => file.endsWith('.md'),
);
const fences = (file: string) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map(
    (m) => m[1] as string,
  );

function section(file: string, heading: string): string {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const start = text.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `${file} has no section "${heading}"`);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

async function flowchart(source: string): Promise<Flowchart> {
  await mermaid.parse(source);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
  const db = diagram.db as unknown as {
    getVertices(): Map<string, { id: string; text?: string }>;
    getEdges(): { start: string; end: string; text?: string }[];
  };
  return {
    nodes: new Map([...db.getVertices().values()].map((v) => [v.id, v.text ?? v.id])),
    edges: db.getEdges().map(({ start, end, text }) => ({ start, end, text: text ?? '' })),
  };
}

/** Node ids reachable from `from`, following edges forwards. */
function reachable({ edges }: Flowchart, from: string): Set<string> {
  const seen = new Set([from]);
  for (const id of seen) for (const edge of edges) if (edge.start === id) seen.add(edge.end);
  return seen;
}

const idOf = (chart: Flowchart, label: RegExp) => {
  const ids = [...chart.nodes].filter(([, text]) => label.test(text)).map(([id]) => id);
  assert.equal(ids.length, 1, `one node labelled ${label}: ${ids.join(', ')}`);
  return ids[0] as string;
};

before(async () => {
  // DOMPurify (inside Mermaid) binds to the global window when it is first imported.
  Object.assign(globalThis, { window: dom.window });
  mermaid = (await import('mermaid')).default;
});
after(() => dom.window.close());

describe('Mermaid diagrams', () => {
  it('the parser rejects a broken flowchart (the check can fail)', async () => {
    await assert.rejects(mermaid.parse('flowchart LR\n  a["open label --> b\n'));
    await assert.rejects(mermaid.parse('flowchart LR\n  a --> \n'));
  });

  for (const file of MARKDOWN) {
    it(`${file}: every mermaid block parses`, async () => {
      for (const source of fences(file)) await mermaid.parse(source);
    });
  }

  it('README: "How it fits together" holds the request path and the release path', () => {
    assert.equal(fences('README.md').length >= 2, true);
    const diagrams = section('README.md', 'How it fits together').match(/```mermaid\n/g) ?? [];
    assert.equal(diagrams.length, 2);
  });

  it('request path: client → main-api → auxiliary-service → SSM and S3, with the default budgets', async () => {
    const [source] = fences('README.md');
    const chart = await flowchart(source as string);
    const aux = loadAuxiliaryConfig({ ENVIRONMENT_NAME: 'test', AWS_REGION: 'eu-west-1' });
    const main = loadMainConfig({ AUXILIARY_URL: 'http://127.0.0.1:8001' });
    const client = idOf(chart, /^client$/);
    const mainApi = idOf(chart, /^main-api /);
    const auxiliary = idOf(chart, /^auxiliary-service /);
    const ssm = idOf(chart, /^SSM Parameter Store$/);
    const s3 = idOf(chart, /^S3$/);
    for (const id of [mainApi, auxiliary, ssm, s3]) assert.ok(reachable(chart, client).has(id), id);
    assert.ok(!reachable(chart, mainApi).has(client), 'no edge back to the client');
    const edge = (start: string, end: string) => chart.edges.find((e) => e.start === start && e.end === end);
    assert.match(edge(client, mainApi)?.text ?? '', /GET \/parameter/);
    assert.ok(edge(mainApi, auxiliary)?.text.includes(`${main.UPSTREAM_TIMEOUT_MS / 1000} s budget`));
    const awsBudget = `${aux.AWS_TIMEOUT_MS / 1000} s budget`;
    for (const store of [ssm, s3]) {
      const into = chart.edges.filter((e) => e.end === store);
      assert.ok(into.length > 0 && into.every((e) => e.text.includes(awsBudget)), `${store}: ${awsBudget}`);
    }
    const labels = [...chart.nodes.values(), ...chart.edges.map((e) => e.text)].join('\n');
    for (const expected of [
      `main-api :${MAIN_PORT}`,
      `auxiliary-service :${AUXILIARY_PORT}`,
      `values ${aux.CACHE_PARAMETER_TTL_MS / 1000} s, lists ${aux.CACHE_LIST_TTL_MS / 1000} s`,
      `stale ≤ ${aux.CACHE_MAX_STALE_MS / 60_000} min`,
      `${aux.AWS_CALL_RATE} call/s, burst ${aux.AWS_CALL_BURST}`,
      `one listing per ${aux.PARAMETER_LIST_REFRESH_MS / 1000} s`,
      'overloaded: 503',
    ])
      assert.ok(labels.includes(expected), `the request path does not say "${expected}"`);
    // Every AWS call goes through the budget: nothing reaches SSM or S3 around it.
    const budget = idOf(chart, /^AWS call budget/);
    for (const e of chart.edges.filter((e) => e.end === ssm || e.end === s3)) assert.equal(e.start, budget);
  });

  it('release path: push → build → GHCR → tag bump commit → Argo CD → rollout, in that order', async () => {
    const [, source] = fences('README.md');
    const chart = await flowchart(source as string);
    const order = [
      /^push to main/,
      /^GitHub Actions/,
      /^GHCR/,
      /^tag bump commit/,
      /^Argo CD/,
      /^rolling update/,
    ].map((label) => idOf(chart, label));
    for (let i = 1; i < order.length; i++)
      assert.ok(
        chart.edges.some((e) => e.start === order[i - 1] && e.end === order[i]),
        `${order[i - 1]} → ${order[i]}`,
      );
    assert.equal(chart.edges.length, order.length - 1, 'a single chain');
  });
});
