import { service } from '../../lib';

// a service named like the cluster's monitoring namespace
export default service({
  name: 'monitoring',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/monitoring',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
});
