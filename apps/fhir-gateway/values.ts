import { service } from '../../lib';

// FHIR R4 facade for hospital systems, with an OAuth2 token-exchange helper as its own process.
export default service({
  name: 'fhir-gateway',
  team: 'interop',
  tier: 'critical',
  image: 'europe-docker.pkg.dev/acme-care/apps/fhir-gateway',
  release: { default: '3.2.0@sha256:9e7488aff3934e2a39d59cc704321904b5bd4b22cd6e87c20be0c1c0a910950b' },
  processes: {
    web: {
      ports: [{ name: 'http', port: 8080, protocol: 'http' }],
      replicas: 3,
      cpu: '500m',
      memory: '1Gi',
      probes: { ready: { path: '/fhir/metadata' }, live: { path: '/actuator/health/liveness' } },
      env: { TOKEN_EXCHANGE_URL: 'http://fhir-gateway-token-exchange.fhir-gateway.svc.cluster.local:8081' },
    },
    'token-exchange': {
      image: 'europe-docker.pkg.dev/acme-care/platform/token-exchange:0.9.4@sha256:30bc341d49dc78d91b470e66f9fef0c46196267f1a1fb14cceb06c5371ca6a54',
      ports: [{ name: 'http', port: 8081 }],
      replicas: 2,
      cpu: '100m',
      memory: '128Mi',
      probes: { ready: { path: '/ready' }, live: { path: '/live' } },
      // Only the helper holds the OAuth client secret.
      secrets: { OAUTH_CLIENT_SECRET: { secret: 'fhir-gateway-oauth', key: 'client-secret' } },
    },
  },
  routes: {
    fhir: { host: 'fhir', paths: ['/fhir'], process: 'web', timeout: '30s' },
  },
  // Declared once: the address (PATIENT_NOTES_ADDR), the egress rule and patient-notes' consent check follow.
  calls: { 'patient-notes': { service: 'patient-notes', port: 'http' } },
  // The Cloud Healthcare FHIR store behind the facade.
  external: { 'fhir-store': { host: 'healthcare.googleapis.com' } },
  identity: true,
  clusters: {
    'prod-azure-weu': { identity: { azureClientId: '7e9b1d3f-4a6c-4e8a-9b2d-1f3e5a7c9b0d' } },
  },
});
