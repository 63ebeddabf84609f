import { service } from '../../lib';

// identity: true with a name too short for a GCP account id (and no AKS client id)
export default service({
  name: 'ops',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/ops',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
  identity: true,
});
