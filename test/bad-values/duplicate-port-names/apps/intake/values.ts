import { service } from '../../lib';

// two ports with one name
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }, { name: 'http', port: 8081 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
});
