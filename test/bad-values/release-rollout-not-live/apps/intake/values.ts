import { service } from '../../lib';

// a rollout to a version that is not live (versions given without it)
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { versions: ['2026.11.3'], default: '2026.11.3', rollout: { version: '2026.11.4', weight: 10 } },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
});
