import { service } from '../../lib';

// a helper process image without a tag
export default service({
  name: 'intake',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/intake',
  release: { default: '2026.11.3' },
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
    proxy: { image: 'docker.io/envoyproxy/envoy', ports: [{ name: 'admin', port: 9901 }] },
  },
});
