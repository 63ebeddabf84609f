import { service } from '../../lib';

// Clinical notes: a web API for the care apps plus a worker that indexes notes for search.
export default service({
  name: 'patient-notes',
  team: 'care-records',
  tier: 'critical',
  image: 'europe-docker.pkg.dev/acme-care/apps/patient-notes',
  release: {
    // Three live versions: 2026.11.2 for Oak Lodge during its audit (a hold is a pin: promotions
    // never move it), 2026.11.3 for everyone else, and 2026.11.4 rolling out: step 1 of
    // [5, 15, 25, 50, 100] moves organizations in buckets 0–14. St Mary's and the QA lead try it first.
    // Versions run by digest (prod requires one); everything else names them by tag.
    versions: [
      '2026.11.2@sha256:5d3c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
      '2026.11.3@sha256:93b0f15a8b512803ee9838bc01cf8bb9ea5aeb6d125e54d47818d6840c8118d5',
      '2026.11.4@sha256:78644889d47a782b91e518926c99a29c5507b07a6fe28f2385c88b9f1f32c051',
    ],
    default: '2026.11.3',
    rollout: { version: '2026.11.4', step: 1 },
    orgs: { 'oak-lodge': '2026.11.2', 'st-marys': '2026.11.4' },
    users: { 'qa.lead@acme-care.example': '2026.11.4' },
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
  // Clinicians wait on these pages: 99.95% without a 5xx, 99% within 500ms.
  slo: { availability: 99.95, latencyP99Ms: 500 },
  env: { LOG_FORMAT: 'json', NODE_OPTIONS: '--max-old-space-size=384' },
  secrets: { DATABASE_URL: { secret: 'patient-notes-db', key: 'url' } },
  // The database's private address range (egress is denied by default).
  egress: { cidrs: [{ cidr: '10.60.0.0/24', ports: [5432] }] },
  identity: { azureClientId: '0f5c2a7e-8d41-4b6f-a3e9-71c5d2b8e604' },
  clusters: {
    'stage-*': { processes: { web: { replicas: 2 } }, env: { LOG_LEVEL: 'debug' } },
  },
});
