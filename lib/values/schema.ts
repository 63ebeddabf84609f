import { z } from 'zod';
import { DEFAULTS } from './defaults';
import {
  AWS_ROLE_ARN,
  GCP_SERVICE_ACCOUNT,
  GUID,
  cpuQuantity,
  dnsLabel,
  envName,
  httpPath,
  imageRepository,
  imageVersion,
  integer,
  memoryQuantity,
  pinnedImage,
  portName,
} from './formats';
import { RULE_IDS } from '../validate/catalog';

/**
 * The values contract: the public API of fleetchart for feature teams. Every field says what it
 * does and what it defaults to; unknown keys are rejected everywhere.
 */

const secretRef = z
  .strictObject({
    secret: dnsLabel(253).describe('Name of the Kubernetes Secret in the service namespace (created outside fleetchart).'),
    key: z
      .string({ error: 'expected a secret key as a string' })
      .regex(/^[-._a-zA-Z0-9]+$/, { error: `expected a Secret key like 'url' (letters, digits, '-', '_', '.')` })
      .describe('Key inside that Secret.'),
  })
  .describe('A reference to one key of a Secret. Never a secret value: values live in the Secret, not in git.');

const env = z
  .record(envName(), z.string({ error: 'expected a string value (quote numbers and booleans)' }))
  .describe('Plain environment variables, NAME → value. Values are strings; use `secrets` for anything sensitive.');

const secrets = z
  .record(envName(), secretRef)
  .describe('Environment variables read from Secrets, NAME → { secret, key }.');

const port = z
  .strictObject({
    name: portName().describe('Port name, unique within the process; also the Service port name.'),
    port: integer(1, 65535).describe('Container port, also exposed on the Service under the same number.'),
    protocol: z
      .enum(['http', 'http2', 'grpc', 'tcp', 'tls'], { error: `expected one of 'http', 'http2', 'grpc', 'tcp', 'tls'` })
      .optional()
      .describe(`Application protocol, rendered as the Service's appProtocol so Istio detects it. Default: '${DEFAULTS.portProtocol}'.`),
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
    live: probe.optional().describe('Liveness: the pod is restarted when this fails. Default for serving processes: TCP on the first port.'),
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
      .describe(`Seconds to sleep before SIGTERM so endpoints and the mesh stop routing first (runs 'sleep' in the image). 0 disables. Default: ${DEFAULTS.preStopSeconds}.`),
    terminationGracePeriodSeconds: integer(1, 3600)
      .optional()
      .describe(`Seconds between the start of termination and SIGKILL; must exceed preStopSeconds. Default: ${DEFAULTS.terminationGracePeriodSeconds}.`),
    runAsUser: integer(1, 2147483647).optional().describe(`Numeric user id the containers run as (never root). Default: ${DEFAULTS.runAsUser}.`),
    tmpSize: memoryQuantity().optional().describe(`Size limit of the writable emptyDir mounted at /tmp (the root filesystem is read-only). Default: '${DEFAULTS.tmpSize}'.`),
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
    z.string().refine((id) => (RULE_IDS as readonly string[]).includes(id), {
      error: `expected a known rule id (see 'npx fleetchart rules')`,
    }),
    z.string({ error: 'expected a reason as a string' }).min(10, { error: 'expected a reason of at least 10 characters: say why the rule does not apply' }),
  )
  .describe('Rule id → reason. Waives one platform rule for this service; the reason is rendered as an annotation.');

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
      stable: imageVersion().describe('The version serving production traffic: an image tag or sha256 digest. Never `latest`.'),
    })
    .describe('Versions to run.'),
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
};

const baseServiceSchema = z.strictObject({
  name: dnsLabel(30).describe('Service name: namespace, ServiceAccount and object name prefix. DNS-1123 label, at most 30 characters.'),
  ...serviceFields,
});

/**
 * Per-cluster overrides: any field of the service except `name`, all optional. Keys are cluster
 * names or globs (`prod-*`); see `merge.ts` for the merge rules.
 */
export const overrideSchema = deepPartial(z.strictObject(serviceFields));

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
