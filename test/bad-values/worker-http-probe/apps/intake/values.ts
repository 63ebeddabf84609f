import { service } from '../../lib';

// a worker probed over HTTP
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: { worker: { command: ['run'], probes: { live: { path: '/live' } } } },
});
