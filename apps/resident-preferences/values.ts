import { service } from '../../lib';

// Residents' meal, wake-up and visit preferences. Small, read-mostly, no cloud identity.
export default service({
  name: 'resident-preferences',
  team: 'daily-care',
  image: 'europe-docker.pkg.dev/acme-care/apps/resident-preferences',
  release: { default: '1.14.2@sha256:f2a7ca9b6529b09f1a2535fed81dc538c49d3403dc84bb9dd8685b4de972debf' },
  processes: {
    web: {
      ports: [{ name: 'http', port: 3000 }],
      cpu: '50m',
      memory: '128Mi',
      probes: { ready: { path: '/ready' }, live: { path: '/live' } },
    },
  },
  routes: { app: { host: 'preferences' } },
  callers: { services: ['care-events'] },
  env: { PORT: '3000' },
  secrets: { SESSION_KEY: { secret: 'resident-preferences-session', key: 'key' } },
  clusters: {
    // Stage runs a single pod with verbose logs; prod keeps the default of 2.
    'stage-eu': { processes: { web: { replicas: 1 } }, env: { LOG_LEVEL: 'debug' } },
  },
});
