// The deployment policy as code: Pod Security Standards "restricted" plus this platform's
// own rules (probes, resources, availability, network). `policyViolations` returns one
// line per broken rule, so a test can assert that the committed manifests break none and
// that each rule fires on a manifest that breaks it.
import { isDeepStrictEqual } from 'node:util';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { INetworkPolicy, INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer, IProbe, IService, IServiceAccount } from 'kubernetes-models/v1';
import {
  containerPort,
  id,
  type Labels,
  quantity,
  selects,
  selectsMap,
  type Workload,
  workloads,
} from './k8s';
import type { Manifest } from './schemas';

/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const RESTRICTED_SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
const SECRET_LIKE_NAME = /(SECRET|PASSWORD|TOKEN|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)/i;
const NAMESPACED_KINDS_WITHOUT_NAMESPACE = new Set(['Namespace']);

type Report = (message: string) => void;

function podSecurity(w: Workload, report: Report): void {
  const pod = w.pod;
  const podContext = pod.securityContext ?? {};
  if (pod.hostNetwork) report('hostNetwork must not be set');
  if (pod.hostPID) report('hostPID must not be set');
  if (pod.hostIPC) report('hostIPC must not be set');
  if (pod.hostUsers === true) report('hostUsers must not be true');
  if ((podContext.sysctls ?? []).length > 0) report('sysctls must not be set');
  if (podContext.fsGroup === 0) report('fsGroup must not be 0');
  if ((podContext.supplementalGroups ?? []).includes(0)) report('supplementalGroups must not include 0');
  for (const volume of pod.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type)) report(`volume ${volume.name}: type ${type} is not allowed`);
    }
  }
  const all: IContainer[] = [...(pod.initContainers ?? []), ...w.containers];
  for (const container of all) {
    const c = container.securityContext ?? {};
    const where = `container ${container.name}`;
    if ((c.runAsNonRoot ?? podContext.runAsNonRoot) !== true) report(`${where}: runAsNonRoot must be true`);
    const user = c.runAsUser ?? podContext.runAsUser;
    if (user === undefined || user === 0) report(`${where}: runAsUser must be set and non-zero`);
    const group = c.runAsGroup ?? podContext.runAsGroup;
    if (group === undefined || group === 0) report(`${where}: runAsGroup must be set and non-zero`);
    const seccomp = (c.seccompProfile ?? podContext.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      report(`${where}: seccompProfile must be RuntimeDefault or Localhost`);
    }
    if (c.privileged === true) report(`${where}: privileged must not be true`);
    if (c.allowPrivilegeEscalation !== false) report(`${where}: allowPrivilegeEscalation must be false`);
    if (!(c.capabilities?.drop ?? []).includes('ALL')) report(`${where}: capabilities must drop ALL`);
    if ((c.capabilities?.add ?? []).length > 0) report(`${where}: capabilities must not add any`);
    if (c.procMount !== undefined && c.procMount !== 'Default') report(`${where}: procMount must be Default`);
    if ((c.appArmorProfile ?? podContext.appArmorProfile)?.type === 'Unconfined') {
      report(`${where}: appArmorProfile must not be Unconfined`);
    }
    const seLinux = c.seLinuxOptions ?? podContext.seLinuxOptions;
    if (seLinux && (seLinux.user || seLinux.role || !RESTRICTED_SELINUX_TYPES.has(seLinux.type ?? ''))) {
      report(`${where}: seLinuxOptions not allowed`);
    }
    if (c.readOnlyRootFilesystem !== true) report(`${where}: readOnlyRootFilesystem must be true`);
    if ((container.ports ?? []).some((port) => port.hostPort !== undefined))
      report(`${where}: hostPort not allowed`);
    if (c.readOnlyRootFilesystem === true) {
      const tmp = (container.volumeMounts ?? []).find((mount) => mount.mountPath === '/tmp');
      const volume = pod.volumes?.find((v) => v.name === tmp?.name);
      if (!tmp || tmp.readOnly || !volume?.emptyDir) report(`${where}: needs a writable emptyDir at /tmp`);
    }
  }
}

function probes(w: Workload, container: IContainer, report: Report): void {
  const where = `container ${container.name}`;
  const kinds = {
    livenessProbe: container.livenessProbe,
    readinessProbe: container.readinessProbe,
    startupProbe: container.startupProbe,
  };
  for (const [kind, probe] of Object.entries(kinds) as [string, IProbe | undefined][]) {
    if (!probe) {
      report(`${where}: ${kind} missing`);
      continue;
    }
    if (!probe.httpGet) report(`${where}: ${kind} must be an httpGet probe`);
    else if (containerPort(w, probe.httpGet.port) === undefined) {
      report(`${where}: ${kind} port ${probe.httpGet.port} is not a container port`);
    }
    const period = probe.periodSeconds ?? 10;
    if ((probe.timeoutSeconds ?? 1) >= period)
      report(`${where}: ${kind} timeoutSeconds must be below periodSeconds`);
  }
  const { livenessProbe: liveness, readinessProbe: readiness, startupProbe: startup } = container;
  if (liveness?.httpGet && readiness?.httpGet && liveness.httpGet.path === readiness.httpGet.path) {
    report(`${where}: liveness and readiness probes must check different paths`);
  }
  if (liveness?.httpGet?.path === '/readyz')
    report(`${where}: liveness must not check dependencies (/readyz)`);
  if (liveness && startup && isDeepStrictEqual(liveness, startup)) {
    report(`${where}: startupProbe must differ from livenessProbe`);
  }
}

function resources(container: IContainer, report: Report): void {
  const where = `container ${container.name}`;
  for (const resource of ['cpu', 'memory'] as const) {
    const request = container.resources?.requests?.[resource];
    const limit = container.resources?.limits?.[resource];
    if (request === undefined) report(`${where}: ${resource} request missing`);
    if (limit === undefined) report(`${where}: ${resource} limit missing`);
    if (request !== undefined && limit !== undefined && quantity(request) > quantity(limit)) {
      report(`${where}: ${resource} request exceeds its limit`);
    }
  }
}

function image(container: IContainer, report: Report): void {
  const where = `container ${container.name}`;
  const ref = container.image ?? '';
  const match =
    /^(?<repository>[^@]+?)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/.exec(ref);
  const { repository, tag, digest } = match?.groups ?? {};
  if (!repository?.startsWith('ghcr.io/')) report(`${where}: image ${ref} must come from ghcr.io`);
  if (!tag && !digest) report(`${where}: image ${ref} must be pinned to a tag or digest`);
  if (tag === 'latest') report(`${where}: image ${ref} must not use the latest tag`);
  if (container.imagePullPolicy === 'Always' && tag)
    report(`${where}: pinned image needs no pull policy Always`);
}

function environment(w: Workload, container: IContainer, report: Report): void {
  const where = `container ${container.name}`;
  const names = new Set<string>();
  for (const env of container.env ?? []) {
    if (names.has(env.name)) report(`${where}: env ${env.name} set twice`);
    names.add(env.name);
    if (SECRET_LIKE_NAME.test(env.name) && env.value !== undefined) {
      report(`${where}: env ${env.name} looks secret and must come from a secretKeyRef`);
    }
  }
  const number = (name: string) => {
    const value = container.env?.find((env) => env.name === name)?.value;
    if (value === undefined || !/^\d+$/.test(value))
      report(`${where}: env ${name} must be set to a number of ms`);
    return Number(value);
  };
  const drain = number('SHUTDOWN_DELAY_MS') + number('SHUTDOWN_TIMEOUT_MS');
  const grace = w.pod.terminationGracePeriodSeconds;
  if (grace === undefined || !(grace * 1000 > drain)) {
    report(`terminationGracePeriodSeconds must exceed SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS (${drain} ms)`);
  }
}

function availability(w: Workload, objects: readonly Manifest[], report: Report): void {
  const spec = w.deployment.spec;
  const hpa = objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      o.metadata.namespace === w.namespace &&
      (o as unknown as IHorizontalPodAutoscaler).spec?.scaleTargetRef.name === w.name,
  ) as (IHorizontalPodAutoscaler & Manifest) | undefined;
  if (hpa) {
    if (spec?.replicas !== undefined) report('replicas must be left out when an HPA scales the Deployment');
    if ((hpa.spec?.minReplicas ?? 1) < 2) report('HPA minReplicas must be at least 2');
  } else if ((spec?.replicas ?? 1) < 2) {
    report('replicas must be at least 2');
  }
  const strategy = spec?.strategy;
  if (strategy?.type !== undefined && strategy.type !== 'RollingUpdate')
    report('strategy must be RollingUpdate');
  const maxUnavailable = strategy?.rollingUpdate?.maxUnavailable;
  if (maxUnavailable !== 0 && maxUnavailable !== '0%') report('rollingUpdate.maxUnavailable must be 0');
  if (!selects(spec?.selector, w.labels)) report('selector must select the pod template');
  const spread = (w.pod.topologySpreadConstraints ?? []).find(
    (constraint) =>
      constraint.topologyKey === 'kubernetes.io/hostname' && selects(constraint.labelSelector, w.labels),
  );
  if (!spread) report('topologySpreadConstraints must spread the pods across nodes (kubernetes.io/hostname)');

  const pdbs = objects.filter(
    (o) =>
      o.kind === 'PodDisruptionBudget' &&
      o.metadata.namespace === w.namespace &&
      selects((o as unknown as IPodDisruptionBudget).spec?.selector, w.labels),
  ) as unknown as IPodDisruptionBudget[];
  if (pdbs.length !== 1)
    report(`exactly one PodDisruptionBudget must select the pods (found ${pdbs.length})`);
  const replicas = spec?.replicas ?? hpa?.spec?.minReplicas ?? 1;
  for (const pdb of pdbs) {
    const { minAvailable, maxUnavailable: pdbMax } = pdb.spec ?? {};
    const blocksDrain =
      (typeof minAvailable === 'number' && minAvailable >= replicas) ||
      minAvailable === '100%' ||
      pdbMax === 0 ||
      pdbMax === '0%' ||
      (minAvailable === undefined && pdbMax === undefined);
    if (blocksDrain) report('PodDisruptionBudget must allow one voluntary disruption');
  }

  if (w.pod.automountServiceAccountToken !== false) report('automountServiceAccountToken must be false');
  const accountName = w.pod.serviceAccountName;
  const account = objects.find(
    (o) =>
      o.kind === 'ServiceAccount' && o.metadata.namespace === w.namespace && o.metadata.name === accountName,
  ) as unknown as IServiceAccount | undefined;
  if (!accountName || accountName === 'default')
    report('serviceAccountName must name its own ServiceAccount');
  else if (!account) report(`ServiceAccount ${accountName} does not exist`);
  else if (account.automountServiceAccountToken !== false) {
    report(`ServiceAccount ${accountName}: automountServiceAccountToken must be false`);
  }
}

function workloadRules(
  objects: readonly Manifest[],
  report: (object: Manifest, message: string) => void,
): void {
  for (const w of workloads(objects)) {
    const r: Report = (message) => report(w.deployment, message);
    podSecurity(w, r);
    availability(w, objects, r);
    for (const container of w.containers) {
      probes(w, container, r);
      resources(container, r);
      image(container, r);
      environment(w, container, r);
    }
  }
}

function serviceRules(
  objects: readonly Manifest[],
  report: (object: Manifest, message: string) => void,
): void {
  const all = workloads(objects);
  for (const object of objects.filter((o) => o.kind === 'Service')) {
    const service = object as unknown as IService;
    const spec = service.spec ?? {};
    if ((spec.type ?? 'ClusterIP') !== 'ClusterIP') report(object, 'Service type must be ClusterIP');
    const selected = all.filter(
      (w) =>
        w.namespace === object.metadata.namespace &&
        selectsMap(spec.selector as Labels | undefined, w.labels),
    );
    if (selected.length === 0) report(object, 'selector matches no pods');
    for (const port of spec.ports ?? []) {
      for (const w of selected) {
        if (containerPort(w, port.targetPort ?? port.port) === undefined) {
          report(object, `targetPort ${port.targetPort ?? port.port} is not a container port of ${w.name}`);
        }
      }
    }
  }
}

/** The ports of the Services that select a workload's pods, with the pod port each maps to. */
function servicePorts(objects: readonly Manifest[], w: Workload): { port: number; target: number }[] {
  return objects
    .filter((o) => o.kind === 'Service' && o.metadata.namespace === w.namespace)
    .map((o) => (o as unknown as IService).spec ?? {})
    .filter((spec) => selectsMap(spec.selector as Labels | undefined, w.labels))
    .flatMap((spec) =>
      (spec.ports ?? []).flatMap(({ port, targetPort }) => {
        const target = containerPort(w, targetPort ?? port);
        return target === undefined ? [] : [{ port, target }];
      }),
    );
}

/** Namespaces whose pods these manifests define; peers elsewhere are only checked for a name. */
function networkRules(
  objects: readonly Manifest[],
  report: (object: Manifest, message: string) => void,
): void {
  const all = workloads(objects);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const namespaces = new Set(all.map((w) => w.namespace));
  for (const namespace of namespaces) {
    const denyAll = policies.some((o) => {
      const spec = (o as unknown as INetworkPolicy).spec;
      return (
        o.metadata.namespace === namespace &&
        spec !== undefined &&
        Object.keys(spec.podSelector).length === 0 &&
        (['Ingress', 'Egress'] as const).every((type) => spec.policyTypes?.includes(type)) &&
        (spec.ingress ?? []).length === 0 &&
        (spec.egress ?? []).length === 0
      );
    });
    if (!denyAll)
      report(
        all.find((w) => w.namespace === namespace)?.deployment as Manifest,
        'namespace has no default-deny NetworkPolicy',
      );
  }

  for (const object of policies) {
    const spec = (object as unknown as INetworkPolicy).spec;
    const namespace = object.metadata.namespace ?? '';
    if (!spec) {
      report(object, 'spec missing');
      continue;
    }
    if (!spec.policyTypes || spec.policyTypes.length === 0) report(object, 'policyTypes must be explicit');
    const isDenyAll = Object.keys(spec.podSelector).length === 0;
    const targets = all.filter((w) => w.namespace === namespace && selects(spec.podSelector, w.labels));
    if (!isDenyAll && targets.length === 0) report(object, 'podSelector matches no pods');

    const peerPods = (peer: INetworkPolicyPeer): Workload[] | 'external' => {
      if (peer.ipBlock) return 'external';
      const peerNamespaces = peer.namespaceSelector
        ? [...namespaces].filter((ns) =>
            selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': ns }),
          )
        : [namespace];
      return all.filter(
        (w) =>
          peerNamespaces.includes(w.namespace) && (!peer.podSelector || selects(peer.podSelector, w.labels)),
      );
    };
    const peerIsOurs = (peer: INetworkPolicyPeer) => {
      const name = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
      return !peer.ipBlock && (name === undefined || namespaces.has(name));
    };

    for (const rule of spec.ingress ?? []) {
      if ((rule.ports ?? []).length === 0) report(object, 'ingress rule must name its ports');
      for (const port of rule.ports ?? []) {
        for (const w of targets) {
          if (containerPort(w, port.port) === undefined)
            report(object, `ingress port ${port.port} is not a port of ${w.name}`);
        }
      }
      for (const peer of rule.from ?? []) {
        const pods = peerPods(peer);
        if (peerIsOurs(peer) && pods !== 'external' && pods.length === 0)
          report(object, 'ingress peer matches no pods');
      }
    }
    for (const rule of spec.egress ?? []) {
      if ((rule.ports ?? []).length === 0) report(object, 'egress rule must name its ports');
      const allowed = new Set((rule.ports ?? []).map((port) => port.port));
      for (const peer of rule.to ?? []) {
        const pods = peerPods(peer);
        if (!peerIsOurs(peer) || pods === 'external') continue;
        if (pods.length === 0) report(object, 'egress peer matches no pods');
        for (const w of pods) {
          const fronts = servicePorts(objects, w);
          for (const port of rule.ports ?? []) {
            if (containerPort(w, port.port) === undefined && !fronts.some((f) => f.port === port.port))
              report(
                object,
                `egress port ${port.port} is not a port of ${w.name} or of a Service in front of it`,
              );
          }
          // Engines differ on which port an egress rule sees for a Service connection (pod port
          // after translation, or the Amazon VPC CNI's Service port): allow both or neither.
          for (const { port, target } of fronts) {
            if (allowed.has(target) && !allowed.has(port))
              report(
                object,
                `egress allows pod port ${target} of ${w.name} but not its Service port ${port}`,
              );
            if (allowed.has(port) && !allowed.has(target))
              report(
                object,
                `egress allows Service port ${port} of ${w.name} but not its pod port ${target}`,
              );
          }
        }
      }
    }
  }
}

function generalRules(
  objects: readonly Manifest[],
  report: (object: Manifest, message: string) => void,
): void {
  for (const object of objects) {
    if (object.kind === 'Namespace')
      report(object, 'namespaces belong to Terraform and Argo CD, not to kustomize');
    if (object.kind === 'Secret') report(object, 'Secrets must not live in git (Terraform creates them)');
    if (!NAMESPACED_KINDS_WITHOUT_NAMESPACE.has(object.kind) && !object.metadata.namespace) {
      report(object, 'metadata.namespace must be set');
    }
  }
}

export function policyViolations(objects: readonly Manifest[]): string[] {
  const violations: string[] = [];
  const report = (object: Manifest, message: string) => violations.push(`${id(object)}: ${message}`);
  generalRules(objects, report);
  workloadRules(objects, report);
  serviceRules(objects, report);
  networkRules(objects, report);
  return violations;
}
