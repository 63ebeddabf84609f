import type { Cluster } from '../../lib/clusters/schema';
import { clusterSchema } from '../../lib/clusters/schema';

/** Inventory entries for unit tests, one per provider and environment. */
export function testCluster(overrides: Partial<Cluster> & { name: string }): Cluster {
  return clusterSchema.parse({
    environment: 'prod',
    kubernetesVersion: '1.34',
    region: 'europe-west1',
    zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    provider: { kind: 'gke', project: 'acme-care-prod' },
    ingress: { gateway: 'istio-ingress/care-gateway', serviceAccount: 'istio-ingress/istio-ingressgateway' },
    baseDomain: 'care.example.com',
    priorityClasses: { critical: 'care-critical', standard: 'care-standard', batch: 'care-batch' },
    mesh: { istioCni: true },
    monitoringNamespace: 'monitoring',
    routing: { orgHeader: 'x-care-org', userHeader: 'x-care-user', bucketHeader: 'x-care-org-bucket', orgCookie: 'care_org', userCookie: 'care_user' },
    identity: { issuer: 'https://login.care.example.com', jwksUri: 'https://login.care.example.com/.well-known/jwks.json', orgClaim: 'org_id', userClaim: 'sub' },
    ...overrides,
  });
}

export const GKE_PROD = testCluster({ name: 'prod-eu-west' });
export const GKE_STAGE = testCluster({ name: 'stage-eu', environment: 'stage' });
export const AKS_PROD = testCluster({ name: 'prod-azure-weu', provider: { kind: 'aks', tenantId: '4d6a8f0e-2c1b-4e7a-9f3d-5b8c2a1e7d40' } });
export const EKS_PROD = testCluster({ name: 'prod-aws-euc1', provider: { kind: 'eks', accountId: '123456789012' } });
