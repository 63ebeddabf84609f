import { service } from '../../lib';

// processes given as a list
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: [{ name: 'web' }] as never,
});
