import { service } from '../../lib';

// a process name mistyped in a cluster override (it would add a Deployment intake-wbe)
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
  clusters: { 'stage-eu': { processes: { wbe: { replicas: 1 } } } },
});
