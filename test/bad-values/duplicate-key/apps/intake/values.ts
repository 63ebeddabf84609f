import { service } from '../../lib';

// a key written twice: TypeScript rejects it, running the file keeps the last value
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 3, replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
});
