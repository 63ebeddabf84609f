import { service } from '../../lib';

// a port in a cluster override that the process does not serve
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
  clusters: { 'prod-*': { processes: { web: { ports: [{ name: 'htpp', port: 8081 }] } } } },
});
