import { service } from '../../lib';

// an organization pinned to the canary and held on stable
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { stable: '2026.11.3', canary: { version: '2026.11.4', orgs: ['st-marys'] }, holdOrgs: ['st-marys'] },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
});
