/**
 * Every default of the values contract, in one place. The schema's `.describe()` texts and the
 * README quote these; `resolve` is the only code that applies them.
 */
export const DEFAULTS = {
  tier: 'standard',
  replicas: 2,
  /** Memory limit equals the memory request unless `memoryLimit` is given (no overcommit). */
  cpu: '100m',
  memory: '256Mi',
  portProtocol: 'http',
  maxSurge: '25%',
  minReadySeconds: 10,
  progressDeadlineSeconds: 600,
  revisionHistoryLimit: 5,
  /** Sleep before SIGTERM so the mesh and endpoints stop sending traffic first. */
  preStopSeconds: 10,
  /** Must exceed preStop + the app's own shutdown; the Istio sidecar drains within this window. */
  terminationGracePeriodSeconds: 45,
  runAsUser: 10001,
  tmpSize: '64Mi',
  /** Mode of secret files (secrets.<NAME>.file): read-only for the owner; fsGroup adds group read. */
  secretFileMode: 0o400,
  pdbMaxUnavailable: 1,
  automountServiceAccountToken: false,
  identity: false,
  probe: {
    periodSeconds: 10,
    timeoutSeconds: 2,
    failureThreshold: 3,
    initialDelaySeconds: 0,
  },
  /** A liveness failure restarts the pod: be slower to give up than readiness. */
  livenessFailureThreshold: 6,
  /** Rollout steps in percent of organization buckets; `rollout.step` indexes this list. */
  rolloutSteps: [5, 15, 25, 50, 100],
  /** Live versions a service may run at once (e.g. a held one, the default, the rollout). */
  maxLiveVersions: 4,
  routeTimeout: '15s',
  retries: {
    attempts: 2,
    perTryTimeout: '5s',
    // Only failures where the request never reached the app: safe for non-idempotent calls.
    // Not 'unavailable'/'cancelled': gRPC status codes the app itself may return after acting
    // (https://grpc.io/docs/guides/retry/ retries UNAVAILABLE only when configured per method).
    retryOn: 'connect-failure,refused-stream',
  },
  routePaths: ['/'],
  /** Environment every container gets unless the values set it: structured logs Loki can parse (`| json`). */
  env: { LOG_FORMAT: 'json' } as Record<string, string>,
  /** `calls.payments` → PAYMENTS_ADDR: the environment variable that receives `host:port`. */
  callEnvSuffix: '_ADDR',
  external: { port: 443, protocol: 'https' },
  connectionPool: { maxConnections: 1024, connectTimeout: '2s', http2MaxRequests: 1024, idleTimeout: '300s' },
  outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
  /** Where Prometheus scrapes a process: the port named `metrics`, at this path. */
  metrics: { port: 'metrics', path: '/metrics', interval: '30s' },
  /**
   * Service level objectives and the canary thresholds derived from them (lib/observability).
   * availability: percent of requests answered without a 5xx; latencyP99Ms: 99% of requests
   * answer within it (must be a bucket boundary of Istio's request-duration histogram).
   */
  slo: {
    availability: 99.9,
    latencyP99Ms: 1000,
    /** A version is compared with the default version only once it has this many requests in the window. */
    minRequests: 100,
    /** A version is clearly worse when its 5xx ratio exceeds the default version's by this many percentage points... */
    maxErrorRatioIncrease: 1,
    /** ...or its p99 is this many times the default version's and at least maxLatencyIncreaseMs slower. */
    maxLatencyFactor: 1.5,
    maxLatencyIncreaseMs: 50,
    /** Window of the version-versus-version comparison (alerts and `fleetchart verdict`). */
    compareWindow: '30m',
  },
  /** The Prometheus and Grafana a cluster's services are watched by (apps/clusters.ts can override). */
  prometheus: { serviceAccount: 'prometheus', certDir: '/etc/prom-certs', selectorLabels: {} as Record<string, string> },
  grafana: { dashboardLabel: 'grafana_dashboard', folderAnnotation: 'grafana_folder', folder: 'Services' },
} as const;

/** Smallest replica count a serving process may have in a `prod` cluster without a waiver. */
export const PROD_MIN_SERVING_REPLICAS = 2;

/** Port name that marks a metrics endpoint: Prometheus may reach it, over plain text. */
export const METRICS_PORT_NAME = 'metrics';

/**
 * Label key of the ingress gateway pods when the inventory gives no `ingress.podLabels`: its
 * value is the gateway's ServiceAccount name (the Istio gateway chart labels its pods
 * `app: <release>` and names the ServiceAccount `<release>`; the AKS add-on does the same).
 */
export const DEFAULT_INGRESS_POD_LABEL = 'app';

/**
 * Bucket boundaries (ms) of Istio's istio_request_duration_milliseconds: Envoy's default histogram
 * buckets (envoy source/common/stats/histogram_impl.cc, HistogramSettingsImpl::defaultBuckets),
 * which Istio's stats filter uses unless the mesh overrides them. A latency target must be one of
 * them, or `le` has no exact series to count "faster than the target" with.
 */
export const ISTIO_LATENCY_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000] as const;
/** Argo CD Applications (apps/clusters.ts `argocd`): what an unset field means. */
export const ARGOCD_DEFAULTS = {
  targetRevision: 'main',
  project: 'default',
  namespace: 'argocd',
} as const;
