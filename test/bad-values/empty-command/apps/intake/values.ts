import { service } from '../../lib';

// an empty command
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: { worker: { command: [], probes: { live: { command: ['true'] } } } },
});
