import { service } from '../../lib';

// Consumes care events (admissions, transfers, discharges) from Pub/Sub and Service Bus and
// fans them out. A worker: its only port serves Prometheus metrics; probed by command.
export default service({
  name: 'care-events',
  team: 'integration',
  tier: 'standard',
  image: 'europe-docker.pkg.dev/acme-care/apps/care-events',
  release: { default: 'sha256:3f1c9a7e5b2d8c4f6a0e1b9d7c5a3e1f2b4d6c8e0a9f7b5d3c1e2a4b6c8d0e2f' },
  processes: {
    consumer: {
      command: ['/app/care-events', 'consume'],
      ports: [{ name: 'metrics', port: 9090 }],
      replicas: 3,
      cpu: '200m',
      memory: '256Mi',
      probes: { live: { command: ['/app/care-events', 'healthcheck'], periodSeconds: 20 } },
      preStopSeconds: 0,
      terminationGracePeriodSeconds: 120,
      disruption: { maxUnavailable: 2 },
    },
  },
  // Fans preference changes out to resident-preferences (which lists care-events in its callers).
  calls: { preferences: { service: 'resident-preferences', port: 'http' } },
  // Pub/Sub on GKE, Service Bus on AKS (EVENTS_BACKEND below).
  external: {
    pubsub: { host: 'pubsub.googleapis.com' },
    servicebus: { host: 'acme-care-events.servicebus.windows.net' },
  },
  env: { EVENTS_SUBSCRIPTION: 'care-events-fanout' },
  identity: { azureClientId: 'c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f' },
  clusters: {
    'prod-azure-*': { env: { EVENTS_BACKEND: 'servicebus' } },
    'stage-*': { processes: { consumer: { replicas: 1 } } },
  },
});
