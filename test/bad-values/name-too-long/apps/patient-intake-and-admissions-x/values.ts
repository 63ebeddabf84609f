import { service } from '../../lib';

// a name longer than 30 characters
export default service({
  name: 'patient-intake-and-admissions-x',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/patient-intake-and-admissions-x',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
  },
});
