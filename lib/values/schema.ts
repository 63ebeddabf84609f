import { z } from 'zod';
import { DEFAULTS, ISTIO_LATENCY_BUCKETS_MS } from './defaults';
import {
  AWS_ROLE_ARN,
  GCP_SERVICE_ACCOUNT,
  GUID,
  cpuQuantity,
  dnsLabel,
  duration,
  envName,
  httpPath,
  imageRepository,
  imageVersion,
  integer,
  ipv4Cidr,
  memoryQuantity,
  pinnedImage,
  portName,
} from './formats';
import { RULES, RULE_IDS } from '../validate/catalog';

/**
 * The values contract: the public API of fleetchart for feature teams. Every field says what it
 * does and what it defaults to; unknown keys are rejected everywhere.
 */

const secretRef = z
  .strictObject({
    secret: dnsLabel(253).describe('Name of the Kubernetes Secret in the service namespace (created outside fleetchart).'),
    key: z
      .string({ error: 'expected a secret key as a string' })
      .regex(/^(?!\.\.)(?!\.$)[-._a-zA-Z0-9]{1,253}$/, { error: `expected a Secret key like 'url' (letters, digits, '-', '_', '.'; not '.', and not starting with '..')` })
      .describe('Key inside that Secret.'),
    file: z
      .string({ error: 'expected an absolute file path as a string' })
      .regex(/^(\/[A-Za-z0-9_][-._A-Za-z0-9]*){2,}$/, { error: `expected an absolute file path at least two levels deep, like '/etc/notes/db-password' (letters, digits, '-', '_', '.')` })
      .refine((p) => !/^\/(tmp|proc|sys|dev)\//.test(p), { error: 'expected a path outside /tmp, /proc, /sys and /dev' })
      .optional()
      .describe(`Mount the key as a read-only file at this path (mode 0${DEFAULTS.secretFileMode.toString(8)}) instead of putting its value in the environment; the variable then holds the path (the NAME_FILE convention). Files are not inherited by child processes or printed by env dumps, and the kubelet updates them when the Secret rotates; the app must read the file. Default: an environment variable.`),
  })
  .describe('A reference to one key of a Secret. Never a secret value: values live in the Secret, not in git.');

const env = z
  .record(envName(), z.string({ error: 'expected a string value (quote numbers and booleans)' }))
  .describe('Plain environment variables, NAME → value. Values are strings; use `secrets` for anything sensitive.');

const secrets = z
  .record(envName(), secretRef)
  .describe('Environment variables read from Secrets, NAME → { secret, key }; with file, NAME holds the path of a read-only file with the value.');

const port = z
  .strictObject({
    name: portName().describe('Port name, unique within the process; also the Service port name.'),
    port: integer(1, 65535).describe('Container port, also exposed on the Service under the same number.'),
    protocol: z
      .enum(['http', 'http2', 'grpc', 'tcp', 'tls'], { error: `expected one of 'http', 'http2', 'grpc', 'tcp', 'tls'` })
      .optional()
      .describe(`Application protocol, rendered as the Service's appProtocol so Istio detects it. Default: what the port name says by Istio's convention '<protocol>[-<suffix>]' (grpc, grpc-*, http2, http, https→tls, tcp, tls, mongo/mysql/redis→tcp), else '${DEFAULTS.portProtocol}'.`),
  })
  .describe('A port the process serves.');

const probe = z
  .strictObject({
    path: httpPath().optional().describe('HTTP GET path. Without path (and command) the probe opens a TCP connection (gRPC health check for grpc ports).'),
    port: portName().optional().describe('Port name to probe. Default: the first port.'),
    command: z.array(z.string()).min(1, { error: 'expected a non-empty command' }).optional().describe('Exec probe command, for processes without a port.'),
    initialDelaySeconds: integer(0, 600).optional().describe(`Default: ${DEFAULTS.probe.initialDelaySeconds}.`),
    periodSeconds: integer(1, 300).optional().describe(`Default: ${DEFAULTS.probe.periodSeconds}.`),
    timeoutSeconds: integer(1, 60).optional().describe(`Default: ${DEFAULTS.probe.timeoutSeconds}.`),
    failureThreshold: integer(1, 30).optional().describe(`Default: ${DEFAULTS.probe.failureThreshold} (liveness: ${DEFAULTS.livenessFailureThreshold}).`),
  })
  .describe('One probe.');

const probes = z
  .strictObject({
    ready: probe.optional().describe('Readiness: the pod receives traffic only while this passes. Default for serving processes: TCP on the first port.'),
    live: probe.optional().describe("Liveness: the pod is restarted when this fails. Default for serving processes: TCP on the first port. Check the process alone, not its dependencies: never the same path or command as ready (FC-PROBE-002). A process without ports needs a command here (FC-PROBE-003)."),
    startup: probe.optional().describe('Startup: holds the other probes until the app has started. Default: none.'),
  })
  .describe('Health probes. Serving processes always get readiness and liveness probes.');

export const processSchema = z
  .strictObject({
    image: pinnedImage()
      .optional()
      .describe('Full image reference pinned by tag or digest, for helper processes that run another image. Default: the service image at the release version.'),
    command: z.array(z.string()).min(1, { error: 'expected a non-empty command' }).optional().describe("Entrypoint override. Default: the image's ENTRYPOINT."),
    args: z.array(z.string()).optional().describe("Arguments. Default: the image's CMD."),
    ports: z
      .array(port)
      .optional()
      .describe('Ports served. A process with ports is a serving process: it gets a Service, probes and, in prod, at least 2 replicas.'),
    replicas: integer(1, 500).optional().describe(`Pod count per cluster. Default: ${DEFAULTS.replicas}.`),
    cpu: cpuQuantity().optional().describe(`CPU request. No CPU limit unless cpuLimit is set (throttling hurts latency). Default: '${DEFAULTS.cpu}'.`),
    cpuLimit: cpuQuantity().optional().describe('CPU limit. Default: none.'),
    memory: memoryQuantity().optional().describe(`Memory request. Default: '${DEFAULTS.memory}'.`),
    memoryLimit: memoryQuantity().optional().describe('Memory limit. Default: equal to the memory request.'),
    probes: probes.optional(),
    env: env.optional().describe('Environment for this process only; merged over the service env by name.'),
    secrets: secrets.optional().describe('Secret-backed environment for this process only; merged over the service secrets by name.'),
    maxSurge: z
      .union([integer(1, 100), z.string().regex(/^([1-9]\d?|100)%$/, { error: `expected a percentage like '25%'` })], {
        error: `expected an integer ≥ 1 or a percentage like '25%'`,
      })
      .optional()
      .describe(`Extra pods during a rollout (maxUnavailable is always 0). Default: '${DEFAULTS.maxSurge}'.`),
    minReadySeconds: integer(0, 600).optional().describe(`Seconds a new pod must be ready before it counts as available. Default: ${DEFAULTS.minReadySeconds}.`),
    progressDeadlineSeconds: integer(60, 3600).optional().describe(`Seconds before a stalled rollout is reported failed. Default: ${DEFAULTS.progressDeadlineSeconds}.`),
    preStopSeconds: integer(0, 120)
      .optional()
      .describe(`Seconds to sleep before SIGTERM so endpoints and the mesh stop routing first (the kubelet's preStop sleep action: needs no shell or sleep binary in the image; Kubernetes ≥ 1.30). 0 disables. Default: ${DEFAULTS.preStopSeconds}.`),
    terminationGracePeriodSeconds: integer(1, 3600)
      .optional()
      .describe(`Seconds between the start of termination and SIGKILL; must exceed preStopSeconds. Default: ${DEFAULTS.terminationGracePeriodSeconds}.`),
    runAsUser: integer(1, 2147483647).optional().describe(`Numeric user id the containers run as (never root). Default: ${DEFAULTS.runAsUser}.`),
    tmpSize: memoryQuantity().optional().describe(`Size limit of the writable emptyDir mounted at /tmp (the root filesystem is read-only). Default: '${DEFAULTS.tmpSize}'.`),
    followRollout: z
      .boolean({ error: 'expected true or false' })
      .optional()
      .describe('For processes that cannot be routed by organization (no ports, or a tcp/tls port): also run the rollout version, sharing the work by replica count (scaled to zero at weight 0 and under rollback). Default: false, only the default version runs.'),
    metrics: z
      .strictObject({
        port: portName().optional().describe(`Name of the port serving Prometheus metrics. Default: '${DEFAULTS.metrics.port}'.`),
        path: httpPath().optional().describe(`HTTP path of the metrics. Default: '${DEFAULTS.metrics.path}'.`),
        interval: duration().optional().describe(`Scrape interval. Default: '${DEFAULTS.metrics.interval}'.`),
      })
      .optional()
      .describe(
        `Prometheus metrics of the app, scraped by a ServiceMonitor over mutual TLS. Default: on for a process with a port named '${DEFAULTS.metrics.port}' (path '${DEFAULTS.metrics.path}'), off otherwise. Istio's request metrics are scraped for every serving process regardless.`,
      ),
    disruption: z
      .strictObject({
        maxUnavailable: integer(1, 100).optional().describe(`Pods of this process that a voluntary disruption (node drain) may take at once. Default: ${DEFAULTS.pdbMaxUnavailable}.`),
      })
      .optional()
      .describe('PodDisruptionBudget settings, rendered for processes with 2 or more replicas.'),
  })
  .describe('One process: its own Deployment (and Service when it has ports).');

const identity = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        gcpServiceAccount: z
          .string()
          .regex(GCP_SERVICE_ACCOUNT, { error: `expected a GCP service account e-mail like 'patient-notes@acme-care-prod.iam.gserviceaccount.com'` })
          .optional()
          .describe('GKE: Google service account to impersonate. Default: <service>@<cluster project>.iam.gserviceaccount.com.'),
        azureClientId: z
          .string()
          .regex(GUID, { error: `expected an Azure client id, a lowercase GUID like '8b3f5a51-1d9e-4c62-9a43-0c2d7e1f6a90'` })
          .optional()
          .describe('AKS: client id of the user-assigned managed identity. Required on AKS clusters.'),
        awsRoleArn: z
          .string()
          .regex(AWS_ROLE_ARN, { error: `expected an IAM role ARN like 'arn:aws:iam::123456789012:role/patient-notes'` })
          .optional()
          .describe('EKS: IAM role for service accounts. Required on EKS clusters.'),
      }),
    ],
    { error: 'expected true, false or an object with gcpServiceAccount, azureClientId or awsRoleArn' },
  )
  .describe(`Cloud workload identity for the service account: true derives it from the cluster provider. Default: ${DEFAULTS.identity}.`);

const waivers = z
  .record(
    z
      .string()
      .refine((id) => (RULE_IDS as readonly string[]).includes(id), { error: `expected a known rule id (see 'npx fleetchart rules')`, abort: true })
      .refine((id) => RULES.some((rule) => rule.id === id && rule.waivable), {
        error: `expected a rule that can be waived; fix the values instead and remove the waiver (waivable rules: 'npx fleetchart rules')`,
      }),
    z.string({ error: 'expected a reason as a string' }).min(10, { error: 'expected a reason of at least 10 characters: say why the rule does not apply' }),
  )
  .describe('Rule id → reason. Waives one platform rule for this service; the reason is rendered as an annotation.');

const orgId = z
  .string({ error: 'expected an organization id as a string' })
  .regex(/^[a-z0-9][-a-z0-9]{0,62}$/, { error: `expected an organization id like 'st-marys' (lowercase letters, digits, '-')` });
const userId = z
  .string({ error: 'expected a user id as a string' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/, { error: `expected a user id like 'nurse.jones@st-marys.example' (letters, digits, '.', '_', '@', '+', '-')` });

const rollout = z
  .strictObject({
    version: imageVersion().describe('The version being rolled out: one of release.versions, not the default.'),
    step: integer(0, 99).optional().describe('Index into steps: advancing a rollout is changing this one number.'),
    steps: z
      .array(integer(1, 100))
      .min(1, { error: 'expected at least one step' })
      .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]), { error: 'expected increasing percentages, e.g. [5, 15, 25, 50, 100]' })
      .optional()
      .describe(`Rollout steps in percent of organization buckets. Default: [${DEFAULTS.rolloutSteps.join(', ')}].`),
    weight: integer(0, 100)
      .optional()
      .describe('Percent of organization buckets on the rollout version, instead of step: buckets 0 … weight-1 move. Give step or weight, not both. Default: 0 (running, visible only to pinned organizations and users).'),
    rollback: z
      .boolean({ error: 'expected true or false' })
      .optional()
      .describe('true sends every organization that is not pinned back to the default at once, and scales the rollout version of processes that cannot be routed by organization to zero. Remove it to resume at the same step. Default: false.'),
  })
  .describe('One version moving over to replace the default, by organization bucket, in steps.');

const cors = z
  .strictObject({
    allowOrigins: z.array(z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d+)?$/, { error: `expected an https origin like 'https://app.care.example.com'` })).min(1).describe('Origins allowed to call, exactly as browsers send them.'),
    allowMethods: z.array(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])).optional().describe(`Default: ['GET', 'POST'].`),
    allowHeaders: z.array(z.string().regex(/^[A-Za-z0-9-]+$/, { error: `expected a header name like 'content-type'` })).optional().describe('Request headers browsers may send. Default: none beyond the CORS-safelisted ones.'),
    allowCredentials: z.boolean().optional().describe('Whether browsers may send cookies and credentials. Default: false.'),
    maxAge: duration().optional().describe('How long browsers may cache the preflight answer.'),
  })
  .describe('CORS for browsers on other origins. Off unless given.');

const route = z
  .strictObject({
    host: z
      .string({ error: 'expected a host name as a string' })
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { error: `expected a host like 'notes' (the cluster's base domain is appended) or 'notes.care.example.com'` })
      .describe(`Host name. A name without dots gets the cluster's base domain: 'notes' → 'notes.<baseDomain>'.`),
    paths: z
      .array(httpPath())
      .min(1, { error: 'expected at least one path prefix' })
      .optional()
      .describe(`URL path prefixes this route serves. Default: ['/'].`),
    process: dnsLabel(25).optional().describe('Process that serves the route. Default: the only process with an HTTP port.'),
    port: portName().optional().describe("Port name on that process. Default: its first HTTP port."),
    timeout: duration().optional().describe(`Whole-request timeout. Default: '${DEFAULTS.routeTimeout}'.`),
    retries: z
      .strictObject({
        attempts: integer(0, 5).describe('Retries after the first try; 0 disables.'),
        perTryTimeout: duration().optional().describe(`Default: '${DEFAULTS.retries.perTryTimeout}'.`),
        retryOn: z.string().regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, { error: `expected Envoy retry conditions like 'connect-failure,unavailable'` }).optional()
          .describe(`Envoy retry conditions. Default: '${DEFAULTS.retries.retryOn}': the request never reached the app, so retrying is safe for any request. Opt in per route to more ('unavailable', 'cancelled', '5xx', 'reset', 'retriable-status-codes') only when every method the route serves is idempotent: the app may have acted on the first try.`),
      })
      .optional()
      .describe(`Default: ${DEFAULTS.retries.attempts} attempts, only on failures where the request never reached the app (${DEFAULTS.retries.retryOn}).`),
    cors: cors.optional(),
  })
  .describe('An external route through the cluster ingress gateway.');

/** Everything a service can set, except its name and the per-cluster overrides. */
export const serviceFields = {
  team: dnsLabel().describe('Owning team, rendered as the `team` label; used for ownership and alert routing.'),
  tier: z
    .enum(['critical', 'standard', 'batch'], { error: `expected one of 'critical', 'standard', 'batch'` })
    .optional()
    .describe(`Criticality: 'critical' for patient-facing paths, 'standard', or 'batch'. Maps to the cluster's priority classes. Default: '${DEFAULTS.tier}'.`),
  partOf: dnsLabel().optional().describe('Higher-level product this service belongs to (app.kubernetes.io/part-of). Default: the team.'),
  image: imageRepository().describe('Image repository of the service, without tag; the release version is the tag.'),
  release: z
    .strictObject({
      versions: z
        .array(imageVersion())
        .min(1, { error: 'expected at least one version' })
        .max(DEFAULTS.maxLiveVersions, { error: `expected at most ${DEFAULTS.maxLiveVersions} live versions` })
        .optional()
        .describe('Live versions, image tags or sha256 digests: each runs its own Deployments. A version must stay here while organizations or users are pinned to it. Default: the default and the rollout version.'),
      default: imageVersion().describe('The version every organization gets unless pinned or moved by the rollout; also every request without an organization. One of versions. Never `latest`.'),
      rollout: rollout.optional(),
      orgs: z
        .record(orgId, imageVersion())
        .optional()
        .describe('Organization → the version it is pinned to, whatever the rollout and promotions do. A hold is a pin to the version the organization is on now.'),
      users: z
        .record(userId, imageVersion())
        .optional()
        .describe('User → the version they are pinned to: the one exception to "every user of an organization sees the same version" (QA, support). Checked before organization pins.'),
    })
    .describe('Which versions run and which organizations get which version.'),
  routes: z.record(dnsLabel(20), route).optional().describe('External routes by name; each becomes a VirtualService <service>-ingress-<name> on the ingress gateway.'),
  callers: z
    .strictObject({
      services: z.array(dnsLabel(30)).optional().describe('Services (by name) allowed to call this one in the mesh.'),
      gateway: z.boolean().optional().describe('Whether the ingress gateway may call this service. Default: true when it has routes.'),
    })
    .optional()
    .describe('Who may call this service: everything else is denied by AuthorizationPolicy and NetworkPolicy.'),
  calls: z
    .record(
      dnsLabel(20),
      z
        .strictObject({
          service: dnsLabel(30).describe('The service called: its folder name under apps/.'),
          port: portName().describe('Name of the port called, as the callee declares it.'),
          process: dnsLabel(25).optional().describe('The callee process serving that port. Default: the only one with a port of that name.'),
          env: envName().optional().describe(`Environment variable that receives the address 'host:port'. Default: the call name in capitals + '${DEFAULTS.callEnvSuffix}' (payments → PAYMENTS${DEFAULTS.callEnvSuffix}).`),
        })
        .describe('One dependency on another service of the fleet.'),
    )
    .optional()
    .describe(
      "Services this one calls, by a name of your choice. Each call gets its address as an environment variable, an egress rule, and the callee's AuthorizationPolicy allows it on that port only; the callee must list this service in callers.services.",
    ),
  external: z
    .record(
      dnsLabel(20),
      z
        .strictObject({
          host: z
            .string({ error: 'expected a host name as a string' })
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, { error: `expected a fully qualified host like 'healthcare.googleapis.com'` })
            .describe('Host name outside the cluster.'),
          port: integer(1, 65535).optional().describe(`Port called. Default: ${DEFAULTS.external.port}.`),
          protocol: z
            .enum(['https', 'tls', 'tcp'], { error: `expected one of 'https', 'tls', 'tcp'` })
            .optional()
            .describe(`How it is spoken: 'https' and 'tls' are TLS the app starts itself. Default: '${DEFAULTS.external.protocol}'.`),
        })
        .describe('One dependency outside the cluster.'),
    )
    .optional()
    .describe(
      'Services outside the cluster this one calls (a Cloud Healthcare FHIR store, a payment API). Each becomes an Istio ServiceEntry (visible to this namespace only) and an egress rule to public addresses on its port: NetworkPolicy cannot match host names, so private ranges need egress.cidrs.',
    ),
  egress: z
    .strictObject({
      namespaces: z.array(dnsLabel()).optional().describe('Namespaces the pods may connect to.'),
      cidrs: z
        .array(z.strictObject({ cidr: ipv4Cidr().describe('Destination address range.'), ports: z.array(integer(1, 65535)).min(1).describe('TCP ports allowed in that range.') }).describe('One allowed destination.'))
        .optional()
        .describe('Address ranges and ports the pods may connect to.'),
    })
    .optional()
    .describe('Further destinations the pods may connect to. Egress is denied by default: allowed are DNS, the mesh control plane, the own namespace, `calls` and these.'),
  processes: z
    .record(dnsLabel(25), processSchema)
    .refine((p) => Object.keys(p).length > 0, { error: `expected at least one process, e.g. { web: { ports: [{ name: 'http', port: 8080 }] } }` })
    .describe('Named processes, each its own Deployment: web servers, workers, helpers.'),
  env: env.optional(),
  secrets: secrets.optional(),
  identity: identity.optional(),
  automountServiceAccountToken: z
    .boolean({ error: 'expected true or false' })
    .optional()
    .describe(`Mount a Kubernetes API token into the pods. Only for services that call the Kubernetes API. Default: ${DEFAULTS.automountServiceAccountToken}.`),
  waivers: waivers.optional(),
  slo: z
    .strictObject({
      availability: z
        .number({ error: 'expected a percentage like 99.9' })
        .min(90, { error: 'expected at least 90 (percent of requests without a 5xx)' })
        .max(99.999, { error: 'expected at most 99.999: a 100% target leaves no error budget to alert on' })
        .optional()
        .describe(`Percent of requests answered without a 5xx (including those the mesh returns itself: no upstream, circuit open, timeouts), over 30 days. Default: ${DEFAULTS.slo.availability}.`),
      latencyP99Ms: z
        .number({ error: 'expected milliseconds as a number' })
        .refine((ms) => (ISTIO_LATENCY_BUCKETS_MS as readonly number[]).includes(ms), {
          error: `expected a bucket boundary of Istio's request-duration histogram: ${ISTIO_LATENCY_BUCKETS_MS.join(', ')} (ms)`,
        })
        .optional()
        .describe(`99% of requests answer within this many milliseconds. Default: ${DEFAULTS.slo.latencyP99Ms}.`),
      minRequests: integer(1, 1_000_000)
        .optional()
        .describe(`Requests a version needs in the comparison window before it is compared with the default version (alerts and verdict). Default: ${DEFAULTS.slo.minRequests}.`),
      maxErrorRatioIncrease: z
        .number({ error: 'expected percentage points as a number' })
        .positive({ error: 'expected more than 0 percentage points' })
        .max(100)
        .optional()
        .describe(`A version whose 5xx ratio exceeds the default version's by more than this many percentage points is rolled back. Default: ${DEFAULTS.slo.maxErrorRatioIncrease}.`),
      maxLatencyFactor: z
        .number({ error: 'expected a factor as a number' })
        .min(1, { error: 'expected a factor of at least 1' })
        .max(100)
        .optional()
        .describe(`A version whose p99 is more than this many times the default version's (and maxLatencyIncreaseMs slower) is rolled back. Default: ${DEFAULTS.slo.maxLatencyFactor}.`),
      maxLatencyIncreaseMs: integer(0, 3_600_000).optional().describe(`See maxLatencyFactor. Default: ${DEFAULTS.slo.maxLatencyIncreaseMs}.`),
    })
    .optional()
    .describe('Service level objectives: the SLO burn-rate alerts, the version-versus-version alerts and `fleetchart verdict` derive from them. Alerts go to the team.'),
};

const baseServiceSchema = z.strictObject({
  name: dnsLabel(30).describe('Service name: namespace, ServiceAccount and object name prefix. DNS-1123 label, at most 30 characters.'),
  ...serviceFields,
});

/**
 * Per-cluster overrides: any field of the service except `name`, all optional. Keys are cluster
 * names or globs (`prod-*`); see `merge.ts` for the merge rules.
 */
export const overrideSchema = deepPartial(z.strictObject(serviceFields).describe('Any service field except name, all optional, merged over the base values for matching clusters.'));

export const serviceSchema = baseServiceSchema.extend({
  clusters: z
    .record(
      z.string().regex(/^[a-z0-9*?][-a-z0-9*?]*$/, { error: `expected a cluster name or glob like 'prod-*'` }),
      overrideSchema,
    )
    .optional()
    .describe(`Per-cluster overrides keyed by cluster name or glob ('prod-*', 'stage-eu'). Globs apply first, exact names last.`),
});

/** What `apps/<service>/values.ts` exports. */
export type ServiceValues = z.input<typeof serviceSchema>;
/** The same, once validated. */
export type ParsedServiceValues = z.output<typeof baseServiceSchema>;
export type ProcessValues = z.output<typeof processSchema>;
export type ServiceOverride = DeepPartial<z.input<typeof baseServiceSchema>>;

export type DeepPartial<T> = T extends readonly (infer U)[]
  ? U extends { name: string }
    ? (DeepPartial<Omit<U, 'name'>> & { name: string })[]
    : T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/**
 * The same schema with every object field optional, defaults and refinements of whole objects
 * dropped. Array items with a `name` keep it required, as they merge by name.
 */
function deepPartial(schema: z.ZodType): z.ZodType {
  const def = (schema as any)._zod.def;
  switch (def.type) {
    case 'object': {
      const shape: Record<string, z.ZodType> = {};
      for (const [key, field] of Object.entries(def.shape as Record<string, z.ZodType>)) {
        shape[key] = deepPartial(field).optional();
      }
      return z.strictObject(shape).describe(schema.description ?? '');
    }
    case 'optional':
      return deepPartial(def.innerType);
    case 'record':
      return z.record(def.keyType, deepPartial(def.valueType));
    case 'union':
      return z.union(def.options.map(deepPartial), { error: def.error });
    case 'array': {
      const item = (def.element as any)._zod.def;
      if (item.type === 'object' && 'name' in item.shape) {
        const partialItem = deepPartial(def.element) as z.ZodObject;
        return z.array(partialItem.extend({ name: item.shape.name }));
      }
      return schema;
    }
    default:
      return schema;
  }
}
