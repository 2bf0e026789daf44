// PromQL read with Prometheus's own grammar (@prometheus-io/lezer-promql, the parser of the
// Prometheus web UI): syntax errors, and the selectors and grouping labels an expression uses,
// so the monitoring tests can compare them with what the services export.
import { parser } from '@prometheus-io/lezer-promql';

export interface Matcher {
  label: string;
  op: string;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

export interface ParsedQuery {
  /** Empty when the expression parses. */
  errors: string[];
  selectors: Selector[];
  /** Labels of `by (…)`, `without (…)`, `on (…)`, `ignoring (…)` and `group_left/right (…)`. */
  groupingLabels: string[];
}

const unquote = (literal: string): string =>
  JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1)}"` : literal);

export function parsePromQL(expr: string): ParsedQuery {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  const text = (from: number, to: number) => expr.slice(from, to);
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at ${node.from}: …${text(Math.max(0, node.from - 20), node.from + 20)}…`);
        return;
      }
      if (node.name === 'GroupingLabels') {
        for (let child = node.node.firstChild; child; child = child.nextSibling)
          if (child.name === 'LabelName') groupingLabels.push(text(child.from, child.to));
        return false;
      }
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      const matchers: Matcher[] = [];
      for (const matcher of node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = matcher.getChild('LabelName');
        const op = matcher.getChild('MatchOp');
        const value = matcher.getChild('StringLiteral');
        if (!label || !op || !value) continue;
        matchers.push({
          label: text(label.from, label.to),
          op: text(op.from, op.to),
          value: unquote(text(value.from, value.to)),
        });
      }
      if (!identifier) errors.push(`selector without a metric name: ${text(node.from, node.to)}`);
      else selectors.push({ metric: text(identifier.from, identifier.to), matchers });
    },
  });
  return { errors, selectors, groupingLabels };
}

/**
 * A dashboard query as Grafana sends it: template variables replaced the way Grafana
 * interpolates them (a multi-value variable with "All" becomes an alternation).
 */
export function interpolateGrafana(expr: string, variables: Record<string, string>): string {
  return expr.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = (braced ?? bare) as string;
      const value = variables[name];
      if (value === undefined) throw new Error(`unknown template variable ${whole} in ${expr}`);
      return value;
    },
  );
}
