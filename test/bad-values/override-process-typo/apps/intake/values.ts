import { service } from '../../lib';

// a process name mistyped in a cluster override (it would add a Deployment intake-wbe)
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
  clusters: { 'stage-eu': { processes: { wbe: { replicas: 1 } } } },
});
