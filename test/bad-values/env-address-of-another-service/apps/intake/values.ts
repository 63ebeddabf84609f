import { service } from '../../lib';

// an environment value that addresses another service instead of declaring the call
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
  env: { GOOD_ADDR: 'good-web.good.svc.cluster.local:8080' },
});
