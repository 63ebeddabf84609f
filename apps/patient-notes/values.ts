import { service } from '../../lib';

// Clinical notes: a web API for the care apps plus a worker that indexes notes for search.
export default service({
  name: 'patient-notes',
  team: 'care-records',
  tier: 'critical',
  image: 'europe-docker.pkg.dev/acme-care/apps/patient-notes',
  release: {
    stable: '2026.11.3@sha256:93b0f15a8b512803ee9838bc01cf8bb9ea5aeb6d125e54d47818d6840c8118d5',
    // Mid-cutover: step 1 of [5, 15, 25, 50, 100] sends 15% of organizations to 2026.11.4.
    // St Mary's tests the new version first; Oak Lodge stays on stable during its audit.
    canary: { version: '2026.11.4@sha256:78644889d47a782b91e518926c99a29c5507b07a6fe28f2385c88b9f1f32c051', step: 1, orgs: ['st-marys'], users: ['qa.lead@acme-care.example'] },
    holdOrgs: ['oak-lodge'],
  },
  processes: {
    web: {
      ports: [
        { name: 'http', port: 8080 },
        { name: 'metrics', port: 9090 },
      ],
      replicas: 3,
      cpu: '250m',
      memory: '512Mi',
      probes: { ready: { path: '/healthz/ready' }, live: { path: '/healthz/live' } },
    },
    indexer: {
      command: ['node', 'dist/indexer.js'],
      replicas: 2,
      cpu: '100m',
      memory: '384Mi',
      probes: { live: { command: ['node', 'dist/healthcheck.js'] } },
      env: { INDEXER_BATCH_SIZE: '200' },
    },
  },
  routes: {
    api: { host: 'notes', paths: ['/api/notes'], timeout: '10s' },
  },
  callers: { services: ['fhir-gateway'] },
  env: { LOG_FORMAT: 'json', NODE_OPTIONS: '--max-old-space-size=384' },
  secrets: { DATABASE_URL: { secret: 'patient-notes-db', key: 'url' } },
  identity: { azureClientId: '0f5c2a7e-8d41-4b6f-a3e9-71c5d2b8e604' },
  clusters: {
    'stage-*': { processes: { web: { replicas: 2 } }, env: { LOG_LEVEL: 'debug' } },
  },
});
