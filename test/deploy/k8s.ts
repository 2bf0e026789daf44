// Small, dependency-free readers for the Kubernetes semantics the policy and network tests
// need: label selectors, resource quantities, and the pods a Deployment creates.

import type { ILabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import type { Manifest } from './schemas';

export type Labels = Record<string, string>;
export type { LabelSelector };

/** A label selector as the API server evaluates it; an empty selector selects everything. */
export function selects(selector: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const value = labels[key];
    const ok =
      operator === 'In'
        ? has && values.includes(value as string)
        : operator === 'NotIn'
          ? !has || !values.includes(value as string)
          : operator === 'Exists'
            ? has
            : operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/** A Service's plain map selector. */
export const selectsMap = (selector: Labels | undefined, labels: Labels): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && selects({ matchLabels: selector }, labels);

const SUFFIXES: Record<string, number> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A resource quantity ("50m", "128Mi", "1") as a number of base units. */
export function quantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(value);
  const multiplier = match ? (SUFFIXES[match[2] as string] ?? (match[2] === '' ? 1 : undefined)) : undefined;
  if (!match || multiplier === undefined) throw new Error(`not a quantity: ${value}`);
  return Number(match[1]) * multiplier;
}

/** What a Deployment puts on the cluster, seen as the pods it creates. */
export interface Workload {
  deployment: IDeployment & Manifest;
  namespace: string;
  name: string;
  labels: Labels;
  pod: IPodSpec;
  containers: IContainer[];
  /** Container port name → number, over all containers. */
  ports: Map<string, number>;
}

export const id = (object: Manifest) =>
  `${object.kind}/${object.metadata.namespace ?? '-'}/${object.metadata.name}`;

export function workloads(objects: readonly Manifest[]): Workload[] {
  return objects
    .filter((object) => object.kind === 'Deployment')
    .map((object) => {
      const deployment = object as unknown as IDeployment & Manifest;
      const pod = deployment.spec?.template.spec ?? { containers: [] };
      const ports = new Map<string, number>();
      for (const container of pod.containers) {
        for (const port of container.ports ?? [])
          ports.set(port.name ?? String(port.containerPort), port.containerPort);
      }
      return {
        deployment,
        namespace: object.metadata.namespace ?? '',
        name: object.metadata.name,
        labels: (deployment.spec?.template.metadata?.labels ?? {}) as Labels,
        pod,
        containers: pod.containers,
        ports,
      };
    });
}

/** Resolves a port given by number or by name against a workload's container ports. */
export function containerPort(workload: Workload, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return [...workload.ports.values()].includes(port) ? port : undefined;
  return port === undefined ? undefined : workload.ports.get(port);
}
