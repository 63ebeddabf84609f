import { service } from '../../lib';

// claims the same host and path
export default service({
  name: 'admissions',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/admissions',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
  routes: { api: { host: 'care', paths: ['/api'] } },
});
