import { service } from '../../lib';

// a process name with an underscore
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: { web_api: { ports: [{ name: 'http', port: 8080 }] } },
});
