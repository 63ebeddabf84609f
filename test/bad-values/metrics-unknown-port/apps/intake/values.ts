import { service } from '../../lib';

// metrics on a port the process does not serve
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 2, metrics: { port: 'prometheus' } },
  },
});
