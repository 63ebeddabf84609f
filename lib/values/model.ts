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
  readonly slo: ResolvedSlo;
  readonly monitoring: ResolvedMonitoring;
}

/** Service level objectives and the version-comparison thresholds, defaults applied. */
export interface ResolvedSlo {
  /** Percent of requests without a 5xx. */
  readonly availability: number;
  /** 99% of requests answer within this (an Istio histogram bucket boundary). */
  readonly latencyP99Ms: number;
  readonly minRequests: number;
  /** Percentage points. */
  readonly maxErrorRatioIncrease: number;
  readonly maxLatencyFactor: number;
  readonly maxLatencyIncreaseMs: number;
  readonly compareWindow: string;
}

/** Who watches the service on this cluster: Prometheus (scrapes, rules) and Grafana (dashboards). */
export interface ResolvedMonitoring {
  readonly prometheus: {
    readonly namespace: string;
    readonly serviceAccount: string;
    /** SPIFFE principal of the Prometheus pods: the only identity admitted to metrics ports. */
    readonly principal: string;
    readonly selectorLabels: Readonly<Record<string, string>>;
    readonly certDir: string;
  };
  /** Scrape interval of the sidecars' Envoy stats. */
  readonly scrapeInterval: string;
  readonly grafana: { readonly dashboardLabel: string; readonly folderAnnotation: string; readonly folder: string };
}

/** How requests reach the service and who may send them. */
export interface ResolvedTraffic {
  /** The live versions and who gets which: see lib/values/release.ts. */
  readonly release: ResolvedRelease;
  /**
   * The HTTP routing of processes routed by organization, in the order the mesh evaluates it
   * (first match wins): pinned users, pinned organizations, the rollout's buckets, the default.
   */
  readonly rules: readonly RouteRule[];
  readonly routes: readonly ResolvedRoute[];
  /** SPIFFE principals allowed to call (the service itself, listed callers, the gateway). */
  readonly principals: readonly string[];
  /** Namespaces allowed to connect (NetworkPolicy): callers and the gateway. */
  readonly callerNamespaces: readonly string[];
  readonly gateway: boolean;
  readonly callerServices: readonly string[];
  readonly monitoringNamespace: string;
  /** Destinations beyond DNS, istiod, the own namespace and calls (egress is default-deny). */
  readonly egress?: { readonly namespaces: readonly string[]; readonly cidrs: readonly { readonly cidr: string; readonly ports: readonly number[] }[] };
  /** Dependencies outside the cluster (values `external`): ServiceEntries and egress rules. */
  readonly external: readonly { readonly name: string; readonly host: string; readonly port: number; readonly protocol: 'https' | 'tls' | 'tcp' }[];
  /** Other services this one calls (values `calls`), each checked against the callee. */
  readonly calls: readonly ResolvedCall[];
  /** Services allowed in (consented in callers.services and calling), with the ports they call. */
  readonly inbound: readonly { readonly service: string; readonly principal: string; readonly ports: readonly number[] }[];
  /** The ingress gateway's access: the port and path prefixes of each route. */
  readonly gatewayAccess?: { readonly principal: string; readonly namespace: string; readonly routes: readonly { readonly port: number; readonly paths: readonly string[] }[] };
}

export interface ResolvedCall {
  readonly name: string;
  readonly service: string;
  readonly process: string;
  readonly portName: string;
  readonly port: number;
  /** `<service>-<process>.<service>.svc.cluster.local`. */
  readonly host: string;
  /** The environment variable that receives `host:port`. */
  readonly env: string;
}

/**
 * The release of a service on a cluster. Every organization is on exactly one live version:
 * its pin, else the rollout's version when its bucket is below the weight (and no rollback),
 * else the default. Requests without an organization bucket get the default.
 */
export interface ResolvedRelease {
  /** Live versions in the order the values list them. */
  readonly versions: readonly ResolvedVersion[];
  readonly default: ResolvedVersion;
  readonly rollout?: ResolvedRollout;
  /** Organization → pinned version (holds included), sorted by organization. */
  readonly orgPins: Readonly<Record<string, string>>;
  /** User → pinned version, sorted by user. */
  readonly userPins: Readonly<Record<string, string>>;
}

export interface ResolvedVersion {
  /** The image tag or digest. */
  readonly version: string;
  /** DNS-label form: DestinationRule subset name and Deployment name suffix (`2026-11-4`). */
  readonly id: string;
  /** The `version` pod label (and `app.kubernetes.io/version`). */
  readonly label: string;
  /** What the version is for now; `kept` runs for pins of users only, or for a fast way back. */
  readonly role: 'default' | 'rollout' | 'held' | 'kept';
  /** Organizations and users pinned to it. */
  readonly orgs: readonly string[];
  readonly users: readonly string[];
}

export interface ResolvedRollout {
  readonly version: ResolvedVersion;
  /** Percent of organization buckets (0–99) that move: buckets 0 … weight-1. */
  readonly weight: number;
  /** The step given, with the steps, when the weight came from a step. */
  readonly step?: { readonly index: number; readonly steps: readonly number[] };
  /** Every organization that is not pinned is back on the default; unroutable processes stop their rollout pods. */
  readonly rollback: boolean;
}

/** One HTTP route of a process routed by organization: requests matching `match` go to `version`. */
export interface RouteRule {
  /** Name of the HTTP route in the VirtualService. */
  readonly name: string;
  readonly kind: 'users' | 'orgs' | 'rollout' | 'default';
  /** Exact values of one header (any of them), or a full-match regex over it; none: every request. */
  readonly match?: { readonly header: string; readonly exact: readonly string[] } | { readonly header: string; readonly regex: string };
  readonly version: ResolvedVersion;
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
  /**
   * How the process follows the release: `routed` runs every live version and the mesh routes
   * its HTTP requests by organization; `default-only` (no ports, or a tcp/tls port) runs the
   * default version; `shared` also runs the rollout version, splitting work by replica count;
   * `own-image` (a helper with its own image) runs one Deployment outside the release.
   */
  readonly release: 'routed' | 'default-only' | 'shared' | 'own-image';
  /** One Deployment per version the process runs. */
  readonly deployments: readonly ResolvedDeployment[];
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
  /** Port numbers serving app metrics: reachable by Prometheus. */
  readonly metricsPorts: readonly number[];
  /** Where the app serves Prometheus metrics, when it does. */
  readonly metrics?: { readonly port: string; readonly portNumber: number; readonly path: string; readonly interval: string };
}

/** One Deployment of a process: one live version of it. */
export interface ResolvedDeployment {
  /** `<service>-<process>-<version id>` for routed processes; `<service>-<process>` (and `-canary` for the rollout) otherwise. */
  readonly deploymentName: string;
  readonly version: string;
  /** The live version it runs; absent for own-image helpers. */
  readonly release?: ResolvedVersion;
  readonly image: string;
  readonly replicas: number;
  /** Deployment selector: labels that never change for this Deployment (an immutable field). */
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
