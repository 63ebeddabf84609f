import { service } from '../../lib';

// Medication rounds: nurses confirm each dose here. Patient-facing and never allowed to go dark,
// so prod runs 4 pods across three zones and a drain takes at most one at a time.
export default service({
  name: 'medication-dispensing',
  team: 'medication',
  tier: 'critical',
  image: 'europe-docker.pkg.dev/acme-care/apps/medication-dispensing',
  release: { default: '2026.11.1@sha256:45ad0154578492f69eae28fa39bfc2150df937d65f186811629a2d856182f3d2' },
  processes: {
    api: {
      ports: [
        { name: 'http', port: 8080 },
        { name: 'grpc', port: 9000, protocol: 'grpc' },
      ],
      replicas: 4,
      cpu: '500m',
      memory: '768Mi',
      memoryLimit: '1Gi',
      probes: {
        ready: { path: '/health/ready', periodSeconds: 5 },
        live: { path: '/health/live' },
        startup: { path: '/health/started', failureThreshold: 30 },
      },
      minReadySeconds: 20,
      maxSurge: 1,
      terminationGracePeriodSeconds: 60,
      preStopSeconds: 15,
    },
  },
  routes: {
    rounds: {
      host: 'medication',
      paths: ['/api/rounds', '/api/doses'],
      port: 'http',
      timeout: '5s',
      retries: { attempts: 2, perTryTimeout: '2s' },
      cors: { allowOrigins: ['https://rounds.care.example.com'], allowMethods: ['GET', 'POST'], allowHeaders: ['authorization', 'content-type'], maxAge: '10m' },
    },
  },
  // Outgoing connections only to the pharmacy system's network; DNS and the mesh stay reachable.
  egress: { cidrs: [{ cidr: '10.40.0.0/16', ports: [443] }] },
  env: { JAVA_TOOL_OPTIONS: '-XX:MaxRAMPercentage=75' },
  secrets: {
    // A file, not the environment: not inherited by child processes or printed by env dumps, and rotated in place.
    DB_PASSWORD_FILE: { secret: 'medication-dispensing-db', key: 'password', file: '/etc/medication-dispensing/db/password' },
    DB_USER: { secret: 'medication-dispensing-db', key: 'username' },
  },
  identity: { azureClientId: '9a1e4c3b-5f2d-4a8e-b6c7-2d0f8e1a9b35' },
  clusters: {
    'stage-eu': { processes: { api: { replicas: 2 } } },
  },
});
