import { clusters } from '../lib';

/** What every cluster of the fleet shares: priority classes, Prometheus and Grafana, and the auth gateway's headers. */
const platform = {
  priorityClasses: { critical: 'care-critical', standard: 'care-standard', batch: 'care-batch' },
  monitoringNamespace: 'monitoring',
  // The platform Prometheus (prometheus-operator) selects monitors and rules labelled
  // prometheus: platform, and scrapes with the certificates its Istio sidecar writes.
  prometheus: { serviceAccount: 'prometheus', selectorLabels: { prometheus: 'platform' }, certDir: '/etc/prom-certs' },
  grafana: { dashboardLabel: 'grafana_dashboard', folderAnnotation: 'grafana_folder', folder: 'Services' },
  // Routing headers: the ingress gateway sets them from the verified token (identity below) and removes
  // client-sent values and these cookies, so no client chooses its version.
  routing: {
    orgHeader: 'x-care-org',
    userHeader: 'x-care-user',
    bucketHeader: 'x-care-org-bucket',
    orgCookie: 'care_org',
    userCookie: 'care_user',
  },
  // The platform login: the ingress gateway verifies its tokens and derives the routing headers.
  identity: {
    issuer: 'https://login.care.example.com',
    jwksUri: 'https://login.care.example.com/.well-known/jwks.json',
    audiences: ['care-platform'],
    orgClaim: 'org_id',
    userClaim: 'sub',
    tokenCookie: 'care_session',
  },
};

/**
 * GitOps: on the AKS cluster, Argo CD syncs each service's charts-out file from this repository
 * (charts-out/<cluster>/argocd/); the pipeline applies the others (`fleetchart clusters --delivery apply`).
 */
const argocd = { repoURL: 'https://git.example.com/acme-care/fleet.git' };

const gkeIngress = { gateway: 'istio-ingress/care-gateway', serviceAccount: 'istio-ingress/istio-ingressgateway' };

/** The fleet's clusters. Owned by the infra team; every service renders for each of them. */
export default clusters([
  {
    name: 'stage-eu',
    kubernetesVersion: '1.34',
    environment: 'stage',
    region: 'europe-west4',
    zones: ['europe-west4-a', 'europe-west4-b'],
    provider: { kind: 'gke', project: 'acme-care-stage' },
    ingress: gkeIngress,
    baseDomain: 'stage.care.example.com',
    mesh: { istioCni: true },
    ...platform,
  },
  {
    name: 'prod-eu-west',
    kubernetesVersion: '1.33',
    environment: 'prod',
    region: 'europe-west1',
    zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    provider: { kind: 'gke', project: 'acme-care-prod' },
    ingress: gkeIngress,
    baseDomain: 'eu-west.care.example.com',
    mesh: { istioCni: true },
    ...platform,
  },
  {
    name: 'prod-eu-north',
    kubernetesVersion: '1.33',
    environment: 'prod',
    region: 'europe-north1',
    zones: ['europe-north1-a', 'europe-north1-b', 'europe-north1-c'],
    provider: { kind: 'gke', project: 'acme-care-prod' },
    ingress: gkeIngress,
    baseDomain: 'eu-north.care.example.com',
    mesh: { istioCni: true },
    ...platform,
  },
  {
    name: 'prod-azure-weu',
    kubernetesVersion: '1.32',
    environment: 'prod',
    region: 'westeurope',
    zones: ['westeurope-1', 'westeurope-2', 'westeurope-3'],
    provider: { kind: 'aks', tenantId: '4d6a8f0e-2c1b-4e7a-9f3d-5b8c2a1e7d40' },
    // The AKS Istio add-on: its own ingress namespace and a pinned revision.
    ingress: { gateway: 'aks-istio-ingress/care-gateway', serviceAccount: 'aks-istio-ingress/aks-istio-ingressgateway-external' },
    baseDomain: 'weu.care.example.com',
    mesh: { istioCni: true, revision: 'asm-1-23' },
    argocd,
    ...platform,
  },
]);
