import { service } from '../../lib';

// a port number above 65535
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 80800 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
});
