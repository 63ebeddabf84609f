import type { Cluster } from '../clusters/schema';
import type { RuleId } from '../validate/catalog';

/**
 * The resolved model: everything the render stage needs, with every default applied and every
 * decision taken. Pure data; constructs map it to Kubernetes objects without policy of their own.
 */
export interface ResolvedService {
  readonly name: string;
  /** The values file, for findings. */
  readonly file: string;
  readonly cluster: Cluster;
  readonly namespace: string;
  readonly team: string;
  readonly tier: 'critical' | 'standard' | 'batch';
  readonly priorityClassName: string;
  /** Labels on every object of the service. */
  readonly labels: Readonly<Record<string, string>>;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly serviceAccount: ResolvedServiceAccount;
  readonly processes: readonly ResolvedProcess[];
  /** Rule id → reason, rendered as annotations. */
  readonly waivers: Readonly<Partial<Record<RuleId, string>>>;
  readonly traffic: ResolvedTraffic;
}

/** How requests reach the service and who may send them. */
export interface ResolvedTraffic {
  /** The canary, when one runs. */
  readonly canary?: ResolvedCanary;
  /** Routing stages in the order the mesh evaluates them: pins first, then the weighted split. */
  readonly stages: readonly RouteStage[];
  readonly routes: readonly ResolvedRoute[];
  /** SPIFFE principals allowed to call (the service itself, listed callers, the gateway). */
  readonly principals: readonly string[];
  /** Namespaces allowed to connect (NetworkPolicy): callers and the gateway. */
  readonly callerNamespaces: readonly string[];
  readonly gateway: boolean;
  readonly callerServices: readonly string[];
  readonly monitoringNamespace: string;
  /** Present when egress is restricted. */
  readonly egress?: { readonly namespaces: readonly string[]; readonly cidrs: readonly { readonly cidr: string; readonly ports: readonly number[] }[] };
}

export interface ResolvedCanary {
  readonly version: string;
  /** Percent of unpinned traffic. */
  readonly weight: number;
  readonly orgs: readonly string[];
  readonly users: readonly string[];
  readonly holdOrgs: readonly string[];
}

/** One routing decision: requests matching `match` go to `destinations`. */
export interface RouteStage {
  readonly name: 'hold-orgs' | 'canary-orgs' | 'canary-users' | 'canary-buckets' | 'stable-buckets' | 'weighted';
  /** Header conditions; the cookie alternative applies only when the header is absent. */
  readonly match?: { readonly header: string; readonly regex: string; readonly cookie?: { readonly header: string; readonly regex: string } };
  readonly destinations: readonly { readonly track: 'stable' | 'canary'; readonly weight: number }[];
  /** Human summary for `fleetchart routes`. */
  readonly description: string;
}

export interface ResolvedRoute {
  readonly name: string;
  /** VirtualService name: `<service>-ingress-<route>` (never clashes with a process's mesh VirtualService). */
  readonly objectName: string;
  readonly host: string;
  readonly paths: readonly string[];
  readonly process: string;
  /** In-cluster host of the process Service. */
  readonly destinationHost: string;
  readonly port: number;
  readonly timeout: string;
  readonly retries: { readonly attempts: number; readonly perTryTimeout: string; readonly retryOn: string };
  readonly cors?: {
    readonly allowOrigins: readonly string[];
    readonly allowMethods: readonly string[];
    readonly allowHeaders?: readonly string[];
    readonly allowCredentials?: boolean;
    readonly maxAge?: string;
  };
}

export interface ResolvedServiceAccount {
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** Labels every pod of the service needs for the identity to work (AKS). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly automountToken: boolean;
}

export interface ResolvedProcess {
  readonly name: string;
  /** `<service>-<process>`: the Deployment and Service name. */
  readonly fullName: string;
  readonly serving: boolean;
  readonly ports: readonly ResolvedPort[];
  /** Labels on the process's objects (common labels plus component). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels that never change between releases: the Service and PDB select on these. */
  readonly selector: Readonly<Record<string, string>>;
  readonly tracks: readonly ResolvedTrack[];
  readonly container: ResolvedContainer;
  readonly rollout: {
    readonly maxSurge: number | string;
    readonly minReadySeconds: number;
    readonly progressDeadlineSeconds: number;
    readonly revisionHistoryLimit: number;
  };
  readonly terminationGracePeriodSeconds: number;
  readonly tmpSize: string;
  readonly runAsUser: number;
  /** Present when the process runs 2 or more pods. */
  readonly disruption?: { readonly maxUnavailable: number };
  /** Serves HTTP (http, http2 or grpc ports): gets a mesh VirtualService and a DestinationRule. */
  readonly http: boolean;
  /** `<fullName>.<namespace>.svc.cluster.local`. */
  readonly internalHost: string;
  /** Port numbers named `metrics`: reachable by Prometheus. */
  readonly metricsPorts: readonly number[];
}

/** One Deployment of a process: the stable track, and later a canary. */
export interface ResolvedTrack {
  readonly track: 'stable' | 'canary';
  /** `<service>-<process>` for stable, `<service>-<process>-canary` for canary. */
  readonly deploymentName: string;
  readonly version: string;
  readonly image: string;
  readonly replicas: number;
  /** Deployment selector: the process selector plus the track. */
  readonly selector: Readonly<Record<string, string>>;
  /** Pod labels: selector, common labels, version labels, identity labels. */
  readonly podLabels: Readonly<Record<string, string>>;
}

export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'http' | 'http2' | 'grpc' | 'tcp' | 'tls';
}

export interface ResolvedContainer {
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env: readonly ResolvedEnv[];
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
  readonly readiness?: ResolvedProbe;
  readonly liveness?: ResolvedProbe;
  readonly startup?: ResolvedProbe;
  readonly preStopSeconds: number;
  /** Secret keys mounted as read-only files, grouped into one projected volume per directory. */
  readonly secretFiles: readonly ResolvedSecretDirectory[];
}

export interface ResolvedSecretDirectory {
  readonly directory: string;
  readonly volume: string;
  readonly files: readonly { readonly secret: string; readonly key: string; readonly file: string }[];
}

export type ResolvedEnv =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly secret: string; readonly key: string };

export interface ResolvedProbe {
  readonly handler:
    | { readonly kind: 'http'; readonly path: string; readonly port: string }
    | { readonly kind: 'tcp'; readonly port: string }
    | { readonly kind: 'grpc'; readonly port: number }
    | { readonly kind: 'exec'; readonly command: readonly string[] };
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}
