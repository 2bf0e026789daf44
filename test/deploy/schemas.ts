// Schema validation for rendered manifests and Argo CD Applications, with a strict
// unknown-field check on top of the models' own validation.
//
// The models' validators are compiled JSON-schema code that reads every property the
// schema declares (`data.spec`, `data.replicas`, …) and iterates (`for … in`) only the
// objects whose schema is a map (labels, annotations, resource lists). Running the real
// validator over a Proxy that records those reads therefore yields, for every object
// in the document, the exact set of field names the schema knows; any other key is an
// unknown field (a typo such as `livenessProbe.httpGett` that the API server would
// drop or reject).
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} & Record<string, unknown>;

interface ModelClass {
  new (data: never): { validate(): void };
}

/** Every kind the manifests may contain, keyed by `apiVersion/kind`. */
export const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'argoproj.io/v1alpha1/Application': Application,
};

type Known = Map<string, Set<string> | 'map'>;

const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function tracked(value: unknown, path: string, known: Known, cache: WeakMap<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const cached = cache.get(value);
  if (cached) return cached;
  const proxy = new Proxy(value as Record<string, unknown>, {
    get(target, key, receiver) {
      const result = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || Array.isArray(target)) {
        return typeof key === 'string' && /^\d+$/.test(key)
          ? tracked(result, `${path}/${key}`, known, cache)
          : result;
      }
      const seen = known.get(path);
      if (seen !== 'map') {
        if (seen) seen.add(key);
        else known.set(path, new Set([key]));
      }
      return tracked(result, `${path}/${pointerToken(key)}`, known, cache);
    },
    ownKeys(target) {
      // Only map-typed schemas (additionalProperties) enumerate their object.
      if (!Array.isArray(target)) known.set(path, 'map');
      return Reflect.ownKeys(target);
    },
  });
  cache.set(value, proxy);
  return proxy;
}

function unknownFields(value: unknown, path: string, known: Known): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value))
    return value.flatMap((item, index) => unknownFields(item, `${path}/${index}`, known));
  const allowed = known.get(path);
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = `${path}/${pointerToken(key)}`;
    if (allowed !== 'map' && !allowed?.has(key)) return [`${childPath || '/'}: unknown field "${key}"`];
    return unknownFields(child, childPath, known);
  });
}

/**
 * Validates one object against its model's schema and reports unknown fields.
 * Returns the problems found (empty when the object is valid).
 */
export function schemaProblems(object: Manifest): string[] {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) return [`no schema known for ${object.apiVersion} ${object.kind}`];
  const known: Known = new Map();
  const instance = new Model(object as never);
  const problems: string[] = [];
  try {
    // The model's validate() validates `this`: run it over the recording proxy.
    instance.validate.call(tracked(object, '', known, new WeakMap()) as never);
  } catch (error) {
    problems.push(`schema: ${error instanceof Error ? error.message : String(error)}`);
  }
  return [...problems, ...unknownFields(object, '', known)];
}
