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
  /** Cutover steps in percent of unpinned traffic; `canary.step` indexes this list. */
  canarySteps: [5, 15, 25, 50, 100],
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
  connectionPool: { maxConnections: 1024, connectTimeout: '2s', http2MaxRequests: 1024, idleTimeout: '300s' },
  outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
} as const;

/** Smallest replica count a serving process may have in a `prod` cluster without a waiver. */
export const PROD_MIN_SERVING_REPLICAS = 2;

/** Port name that marks a metrics endpoint: Prometheus may reach it, over plain text. */
export const METRICS_PORT_NAME = 'metrics';
