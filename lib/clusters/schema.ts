import { z } from 'zod';
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
      serviceAccount: namespacedName.describe('ServiceAccount of the ingress gateway pods, for authorization policies.'),
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
  routing: z
    .strictObject({
      orgHeader: httpHeader.describe('Request header with the organization id, set by the auth gateway.'),
      userHeader: httpHeader.describe('Request header with the user id, set by the auth gateway.'),
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
