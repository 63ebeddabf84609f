import { clusters } from '../lib';

// The platform's auth gateway sets these on every request (and the cookies for browsers).
const routing = {
  orgHeader: 'x-care-org',
  userHeader: 'x-care-user',
  bucketHeader: 'x-care-org-bucket',
  orgCookie: 'care_org',
  userCookie: 'care_user',
};

/** The fleet's clusters. Owned by the infra team; every service renders for each of them. */
export default clusters([
  {
    name: 'stage-eu',
    environment: 'stage',
    region: 'europe-west4',
    zones: ['europe-west4-a', 'europe-west4-b'],
    provider: { kind: 'gke', project: 'acme-care-stage' },
    ingress: { gateway: 'istio-ingress/care-gateway', serviceAccount: 'istio-ingress/istio-ingressgateway' },
    baseDomain: 'stage.care.example.com',
    priorityClasses: { critical: 'care-critical', standard: 'care-standard', batch: 'care-batch' },
    mesh: { istioCni: true },
    monitoringNamespace: 'monitoring',
    routing,
  },
  {
    name: 'prod-eu-west',
    environment: 'prod',
    region: 'europe-west1',
    zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    provider: { kind: 'gke', project: 'acme-care-prod' },
    ingress: { gateway: 'istio-ingress/care-gateway', serviceAccount: 'istio-ingress/istio-ingressgateway' },
    baseDomain: 'eu-west.care.example.com',
    priorityClasses: { critical: 'care-critical', standard: 'care-standard', batch: 'care-batch' },
    mesh: { istioCni: true },
    monitoringNamespace: 'monitoring',
    routing,
  },
  {
    name: 'prod-eu-north',
    environment: 'prod',
    region: 'europe-north1',
    zones: ['europe-north1-a', 'europe-north1-b', 'europe-north1-c'],
    provider: { kind: 'gke', project: 'acme-care-prod' },
    ingress: { gateway: 'istio-ingress/care-gateway', serviceAccount: 'istio-ingress/istio-ingressgateway' },
    baseDomain: 'eu-north.care.example.com',
    priorityClasses: { critical: 'care-critical', standard: 'care-standard', batch: 'care-batch' },
    mesh: { istioCni: true },
    monitoringNamespace: 'monitoring',
    routing,
  },
  {
    name: 'prod-azure-weu',
    environment: 'prod',
    region: 'westeurope',
    zones: ['westeurope-1', 'westeurope-2', 'westeurope-3'],
    provider: { kind: 'aks', tenantId: '4d6a8f0e-2c1b-4e7a-9f3d-5b8c2a1e7d40' },
    ingress: { gateway: 'aks-istio-ingress/care-gateway', serviceAccount: 'aks-istio-ingress/aks-istio-ingressgateway-external' },
    baseDomain: 'weu.care.example.com',
    priorityClasses: { critical: 'care-critical', standard: 'care-standard', batch: 'care-batch' },
    mesh: { istioCni: true, revision: 'asm-1-23' },
    monitoringNamespace: 'monitoring',
    routing,
  },
]);
