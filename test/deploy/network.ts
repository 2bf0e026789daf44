// A NetworkPolicy evaluator with the API's semantics (networking.k8s.io/v1), enough to
// ask "may this pod reach that pod on this port?" of the rendered manifests:
// - a pod is isolated for a direction once any policy selecting it lists that direction;
// - an isolated pod allows a connection if any selecting policy has a rule whose peers
//   and ports both match; a rule without peers matches every peer, without ports every port;
// - a connection needs the source's egress and the destination's ingress to allow it.
// ipBlock peers are matched against addresses outside the cluster only.
// A connection to a Service can be judged two ways (`ServicePortMatching`): most engines see
// it after the Service address is translated, on the pod port; the Amazon VPC CNI matches the
// client's egress on the Service port it dialled (the ClusterIP resolved into the rule), and
// the server's ingress on the pod port.
import type {
  INetworkPolicy,
  INetworkPolicyPeer,
  INetworkPolicyPort,
} from 'kubernetes-models/networking.k8s.io/v1';
import { type Labels, selects } from './k8s';
import type { Manifest } from './schemas';

export interface Pod {
  namespace: string;
  labels: Labels;
  /** Container port name → number. */
  ports?: Map<string, number>;
}
export interface External {
  ip: string;
}
export type Endpoint = Pod | External;
export type Protocol = 'TCP' | 'UDP';
export type ServicePortMatching = 'pod-port' | 'service-port';

const isPod = (endpoint: Endpoint): endpoint is Pod => 'namespace' in endpoint;

function ipv4(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    return undefined;
  return parts.reduce((value, part) => value * 256 + part, 0);
}

/** IPv4 CIDR membership; an IPv6 address only matches ::/0. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  if (ip.includes(':') || base.includes(':')) return ip.includes(':') && base.includes(':') && bits === 0;
  const address = ipv4(ip);
  const network = ipv4(base);
  if (address === undefined || network === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(network / size);
}

function peerMatches(peer: INetworkPolicyPeer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    const { cidr, except = [] } = peer.ipBlock;
    return !isPod(other) && inCidr(other.ip, cidr) && !except.some((block) => inCidr(other.ip, block));
  }
  if (!isPod(other)) return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace })
    : other.namespace === policyNamespace;
  return namespaceOk && (peer.podSelector === undefined || selects(peer.podSelector, other.labels));
}

function portMatches(
  rulePort: INetworkPolicyPort,
  destination: Endpoint,
  port: number,
  protocol: Protocol,
): boolean {
  if ((rulePort.protocol ?? 'TCP') !== protocol) return false;
  if (rulePort.port === undefined) return true;
  const number =
    typeof rulePort.port === 'number'
      ? rulePort.port
      : isPod(destination)
        ? destination.ports?.get(rulePort.port)
        : undefined;
  if (number === undefined) return false;
  return rulePort.endPort === undefined ? number === port : port >= number && port <= rulePort.endPort;
}

export class Network {
  readonly #policies: (INetworkPolicy & Manifest)[];

  constructor(objects: readonly Manifest[]) {
    this.#policies = objects.filter((o) => o.kind === 'NetworkPolicy') as unknown as (INetworkPolicy &
      Manifest)[];
  }

  #allows(
    direction: 'Ingress' | 'Egress',
    subject: Endpoint,
    peer: Endpoint,
    destination: Endpoint,
    port: number,
    protocol: Protocol,
  ): boolean {
    if (!isPod(subject)) return true;
    const selecting = this.#policies.filter((policy) => {
      const spec = policy.spec;
      if (!spec || policy.metadata.namespace !== subject.namespace) return false;
      const types = spec.policyTypes ?? (spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      return types.includes(direction) && selects(spec.podSelector, subject.labels);
    });
    if (selecting.length === 0) return true;
    return selecting.some((policy) => {
      const rules =
        direction === 'Ingress'
          ? (policy.spec?.ingress ?? []).map((rule) => ({ peers: rule.from, ports: rule.ports }))
          : (policy.spec?.egress ?? []).map((rule) => ({ peers: rule.to, ports: rule.ports }));
      return rules.some(
        ({ peers, ports }) =>
          (!peers || peers.length === 0 || peers.some((p) => peerMatches(p, subject.namespace, peer))) &&
          (!ports || ports.length === 0 || ports.some((p) => portMatches(p, destination, port, protocol))),
      );
    });
  }

  /** Whether `from` may open a connection to `to` on `port` (the destination's own port). */
  allows(from: Endpoint, to: Endpoint, port: number, protocol: Protocol = 'TCP'): boolean {
    return (
      this.#allows('Egress', from, to, to, port, protocol) &&
      this.#allows('Ingress', to, from, to, port, protocol)
    );
  }

  /**
   * Whether `from` may reach the pod `to` through a Service that maps `servicePort` to the
   * pod's `targetPort`, for an engine that matches egress as `matching` says.
   */
  allowsThroughService(
    from: Endpoint,
    to: Pod,
    servicePort: number,
    targetPort: number,
    matching: ServicePortMatching,
    protocol: Protocol = 'TCP',
  ): boolean {
    const egressPort = matching === 'service-port' ? servicePort : targetPort;
    return (
      this.#allows('Egress', from, to, to, egressPort, protocol) &&
      this.#allows('Ingress', to, from, to, targetPort, protocol)
    );
  }
}
