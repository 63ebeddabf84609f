import { z } from 'zod';
import { ARGOCD_DEFAULTS, DEFAULT_INGRESS_POD_LABEL, DEFAULTS } from '../values/defaults';
import { AWS_ACCOUNT, GCP_PROJECT, GUID, dnsLabel } from '../values/formats';

/** The cluster inventory contract, owned by the infra team (`apps/clusters.ts`). */

const provider = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('gke'),
      project: z.string().regex(GCP_PROJECT, { error: `expected a GCP project id like 'acme-care-prod'` }).describe('GCP project that holds the workload identity pool and service accounts.'),
    }),
    z.strictObject({
      kind: z.literal('aks'),
      tenantId: z.string().regex(GUID, { error: 'expected an Azure tenant id (lowercase GUID)' }).describe('Azure AD tenant of the managed identities.'),
    }),
    z.strictObject({
      kind: z.literal('eks'),
      accountId: z.string().regex(AWS_ACCOUNT, { error: 'expected a 12-digit AWS account id' }).describe('AWS account of the IAM roles.'),
    }),
  ],
  { error: `expected a provider with kind 'gke', 'aks' or 'eks'` },
);

const namespacedName = z
  .string()
  .regex(/^[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9]*$/, { error: `expected '<namespace>/<name>', e.g. 'istio-ingress/care-gateway'` });

const httpHeader = z.string().regex(/^[a-z0-9][-a-z0-9]*$/, { error: `expected a lowercase header name like 'x-care-org'` });
const cookieName = z.string().regex(/^[A-Za-z0-9_-]+$/, { error: `expected a cookie name like 'care_org'` });
const HTTPS_URL = /^https:\/\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/;
const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/, { error: `expected a claim name like 'org_id' or a nested one like 'care.org'` });
const labelKey = z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, { error: `expected a label key like 'app' or 'istio.io/gateway-name'` });
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, { error: 'expected a label value (at most 63 letters, digits, -, _ or .)' });

export const clusterSchema = z.strictObject({
  name: dnsLabel(40).describe('Cluster name: the folder under charts-out/ and the key of per-cluster overrides.'),
  environment: z.enum(['stage', 'prod'], { error: `expected 'stage' or 'prod'` }).describe('prod clusters enforce the availability rules.'),
  kubernetesVersion: z
    .string({ error: `expected the cluster's Kubernetes minor version as a string like '1.34'` })
    .regex(/^1\.\d{1,3}$/, { error: `expected the cluster's Kubernetes minor version like '1.34' (major.minor, no patch)` })
    .describe("Kubernetes minor version the cluster's control plane runs, e.g. '1.34'. Rendered objects are validated against that version's API, and a cluster older than what the rendered features need is refused. Raise it when the cluster is upgraded."),
  region: z.string().regex(/^[a-z0-9-]+$/, { error: `expected a region like 'europe-west1'` }).describe('Cloud region.'),
  zones: z
    .array(z.string().regex(/^[a-z0-9-]+$/, { error: `expected a zone like 'europe-west1-b'` }))
    .min(1, { error: 'expected at least one zone' })
    .describe('Zones the node pools span; pods spread over them.'),
  provider: provider.describe('Cloud provider and what its workload identity needs.'),
  ingress: z
    .strictObject({
      gateway: namespacedName.describe('Istio Gateway that external routes bind to.'),
      serviceAccount: namespacedName.describe('ServiceAccount of the ingress gateway pods, for authorization policies. Its namespace is where the gateway identity objects go.'),
      podLabels: z
        .record(labelKey, labelValue)
        .refine((labels) => Object.keys(labels).length > 0, { error: 'expected at least one label' })
        .optional()
        .describe(`Labels of the ingress gateway pods: the identity filters (RequestAuthentication, EnvoyFilter) select them. Default: \`{ ${DEFAULT_INGRESS_POD_LABEL}: <name of serviceAccount> }\`, the label the Istio gateway chart and the AKS add-on give their pods.`),
    })
    .describe('The Istio ingress gateway.'),
  baseDomain: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { error: `expected a DNS domain like 'care.example.com'` })
    .describe('Domain appended to relative route hosts.'),
  priorityClasses: z
    .strictObject({
      critical: dnsLabel(253),
      standard: dnsLabel(253),
      batch: dnsLabel(253),
    })
    .describe('PriorityClass name per criticality tier (created by the infra team).'),
  mesh: z
    .strictObject({
      istioCni: z.boolean().describe('Whether the Istio CNI node agent runs: without it, sidecar injection needs NET_ADMIN, which Pod Security restricted forbids.'),
      revision: dnsLabel().optional().describe('Istio revision label for injection (istio.io/rev). Default: the default revision (istio-injection=enabled).'),
      trustDomain: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: `expected a trust domain like 'cluster.local'` })
        .optional()
        .describe(`SPIFFE trust domain of workload identities in authorization policies. Default: 'cluster.local'.`),
    })
    .describe('Service mesh settings.'),
  monitoringNamespace: dnsLabel().describe('Namespace of the Prometheus that scrapes services.'),
  identity: z
    .strictObject({
      issuer: z.string().regex(HTTPS_URL, { error: `expected the token issuer as an https URL, e.g. 'https://login.care.example.com'` }).describe('JWT issuer (`iss`) of the platform login; tokens of other issuers are rejected with 401.'),
      jwksUri: z.string().regex(HTTPS_URL, { error: `expected an https URL of the issuer's key set, e.g. 'https://login.care.example.com/.well-known/jwks.json'` }).describe(`URL of the issuer's public keys (JWKS).`),
      audiences: z.array(z.string().min(1, { error: 'expected a non-empty audience' })).min(1, { error: 'expected at least one audience, or leave audiences out' }).optional().describe('Accepted `aud` values. Default: any audience.'),
      orgClaim: claimName.describe(`Claim that holds the organization id, e.g. 'org_id' (nested claims as 'care.org'). The gateway copies it into routing.orgHeader.`),
      userClaim: claimName.describe(`Claim that holds the user id, e.g. 'sub'. The gateway copies it into routing.userHeader.`),
      tokenCookie: cookieName.optional().describe('Cookie that carries the token for browsers; the gateway verifies it like the Authorization header. Default: only `Authorization: Bearer <token>`.'),
    })
    .describe('Who is calling, as the ingress gateway verifies it: the JWT whose claims name the organization and user. Routing headers come only from here; clients cannot set them (README "Identity at the gateway").'),
  prometheus: z
    .strictObject({
      serviceAccount: dnsLabel(253)
        .optional()
        .describe(`ServiceAccount of the Prometheus pods in monitoringNamespace: metrics ports admit this mesh identity only. Default: '${DEFAULTS.prometheus.serviceAccount}'.`),
      selectorLabels: z
        .record(z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/, { error: `expected a label key like 'release'` }), z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, { error: `expected a label value like 'prometheus'` }))
        .optional()
        .describe(`Labels the Prometheus's serviceMonitorSelector and ruleSelector match; set on every ServiceMonitor and PrometheusRule. Default: none (a Prometheus selecting everything).`),
      certDir: z
        .string()
        .regex(/^\/[-_./a-zA-Z0-9]*$/, { error: `expected an absolute path like '/etc/prom-certs'` })
        .optional()
        .describe(
          `Where the Prometheus pods mount the certificates their Istio sidecar writes (Istio's "Prometheus with Istio certificates" set-up): scrapes of metrics ports use them, so metrics ports stay STRICT mTLS. Default: '${DEFAULTS.prometheus.certDir}'.`,
        ),
    })
    .optional()
    .describe('The Prometheus (prometheus-operator) that scrapes the services and evaluates their alert rules. It runs with an Istio sidecar that writes its certificates to certDir.'),
  grafana: z
    .strictObject({
      dashboardLabel: z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/, { error: `expected a label key like 'grafana_dashboard'` }).optional()
        .describe(`Label key the Grafana dashboard sidecar watches ConfigMaps for (value '1'). Default: '${DEFAULTS.grafana.dashboardLabel}'.`),
      folderAnnotation: z.string().regex(/^([a-z0-9.-]+\/)?[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/, { error: `expected an annotation key like 'grafana_folder'` }).optional()
        .describe(`Annotation key the sidecar reads the dashboard folder from (its folderAnnotation setting). Default: '${DEFAULTS.grafana.folderAnnotation}'.`),
      folder: z.string().min(1).max(100).optional().describe(`Grafana folder of the service dashboards. Default: '${DEFAULTS.grafana.folder}'.`),
    })
    .optional()
    .describe('The Grafana whose dashboard sidecar loads the service dashboards (ConfigMaps in each service namespace).'),
  argocd: z
    .strictObject({
      repoURL: z
        .string()
        .regex(/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, { error: `expected a Git URL like 'https://git.example.com/acme/fleet.git'` })
        .describe('Git repository holding charts-out/, as Argo CD reaches it.'),
      targetRevision: z.string().min(1).optional().describe(`Branch, tag or commit Argo CD follows. Default: '${ARGOCD_DEFAULTS.targetRevision}'.`),
      project: dnsLabel().optional().describe(`Argo CD project of the Applications. Default: '${ARGOCD_DEFAULTS.project}'.`),
      namespace: dnsLabel().optional().describe(`Namespace Argo CD watches for Applications. Default: '${ARGOCD_DEFAULTS.namespace}'.`),
      destination: z.string().min(1).optional().describe(`This cluster's name in Argo CD. Default: the cluster's name.`),
    })
    .optional()
    .describe('GitOps with Argo CD: `synth` writes charts-out/<cluster>/argocd/<service>.yaml, one Application per service that syncs its charts-out file automatically (prune, self-heal), and _platform.yaml for the platform file. Default: none.'),
  routing: z
    .strictObject({
      orgHeader: httpHeader.describe('Request header with the organization id, set by the ingress gateway from `identity.orgClaim` of the verified token; client-sent values are removed there.'),
      userHeader: httpHeader.describe('Request header with the user id, set by the ingress gateway from `identity.userClaim` of the verified token; client-sent values are removed there.'),
      bucketHeader: httpHeader.describe('Request header with the organization bucket 0–99 (a stable hash of the organization id), set by the auth gateway. Canary weights select buckets, so every user of an organization sees the same version.'),
      orgCookie: cookieName.describe('Cookie with the organization id: the fallback for browsers when the header is absent.'),
      userCookie: cookieName.describe('Cookie with the user id: the fallback for browsers when the header is absent.'),
    })
    .describe('Where the mesh reads who is calling, for organization and user pinning.'),
});

export const inventorySchema = z
  .array(clusterSchema)
  .min(1, { error: 'expected at least one cluster' })
  .superRefine((clusters, ctx) => {
    const seen = new Set<string>();
    clusters.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `expected unique cluster names; '${c.name}' appears twice`, input: c.name });
      seen.add(c.name);
    });
  });

export type ClusterInput = z.input<typeof clusterSchema>;
export type Cluster = z.output<typeof clusterSchema>;
