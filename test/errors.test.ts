import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeFleet, removeFleet, runCli, snapshotTree, valuesFile } from './support/fleet';

/**
 * Bad values files: each run reports every problem, one line each, exits non-zero and leaves
 * charts-out/ exactly as it was.
 */
const GOOD = valuesFile(`{
  name: 'good-app',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/good-app',
  release: { default: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
  processes: { web: { ports: [{ name: 'http', port: 8080 }] } },
}`);

const BASE = `name: 'bad-app', team: 'care-records', image: 'europe-docker.pkg.dev/acme-care/apps/bad-app', release: { default: '1.0.0@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' }`;
const WEB = `processes: { web: { ports: [{ name: 'http', port: 8080 }] } }`;
const F = 'apps/bad-app/values.ts';

// identity on without an azureClientId is also a problem on the AKS cluster of the inventory.
const AKS_ID = `${F}: identity.azureClientId: required on AKS clusters: the client id of the service's managed identity; set identity: { azureClientId: '<guid>' } (per cluster under clusters['prod-azure-weu'] if it differs) [FC-ID-001] (cluster prod-azure-weu)`;

const cases: { name: string; source: string; expected: string[] }[] = [
  { name: 'negative replicas', source: valuesFile(`{ ${BASE}, processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: -1 } } }`), expected: [`${F}: processes.web.replicas: expected an integer ≥ 1, got -1`] },
  { name: 'a typo in a key', source: valuesFile(`{ ${BASE}, processes: { web: { ports: [{ name: 'http', port: 8080 }], replica: 3 } } }` as string), expected: [`${F}: processes.web.replica: unknown key 'replica': did you mean 'replicas'?`] },
  { name: 'an unknown key with no close match', source: valuesFile(`{ ${BASE}, ${WEB}, colour: 'blue' }`), expected: [`${F}: colour: unknown key 'colour': remove it; allowed keys: name, team, tier, partOf, image, release, routes, callers, calls, external, egress, processes, env, secrets, identity, automountServiceAccountToken, waivers, slo, clusters`] },
  { name: 'no processes', source: valuesFile(`{ ${BASE}, processes: {} }`), expected: [`${F}: processes: expected at least one process, e.g. { web: { ports: [{ name: 'http', port: 8080 }] } }, got an empty object`] },
  { name: 'a CPU quantity in words', source: valuesFile(`{ ${BASE}, processes: { web: { ports: [{ name: 'http', port: 8080 }], cpu: '2 cores' } } }`), expected: [`${F}: processes.web.cpu: expected a CPU quantity like '250m' (millicores) or '1.5' (cores), got '2 cores'`] },
  { name: 'memory in decimal units', source: valuesFile(`{ ${BASE}, processes: { web: { ports: [{ name: 'http', port: 8080 }], memory: '512MB' } } }`), expected: [`${F}: processes.web.memory: expected a memory quantity like '512Mi' or '2Gi' (suffix Ki, Mi or Gi), got '512MB'`] },
  { name: 'the latest tag', source: valuesFile(`{ ${BASE.replace(/'1\.0\.0@sha256:[0-9a-f]{64}'/, "'latest'")}, ${WEB} }`), expected: [`${F}: release.default: expected a pinned version such as '2026.11.3' (the tag you tested), got 'latest'`] },
  { name: 'a tag in the image repository', source: valuesFile(`{ ${BASE.replace("apps/bad-app'", "apps/bad-app:1.0'")}, ${WEB} }`), expected: [`${F}: image: expected the image repository without a version: write image: 'europe-docker.pkg.dev/acme-care/apps/bad-app' and put '1.0' in release.default, got 'europe-docker.pkg.dev/acme-care/apps/bad-app:1.0'`] },
  { name: 'a name that differs from the folder', source: valuesFile(`{ ${BASE.replace("'bad-app'", "'other-app'")}, ${WEB} }`), expected: [`${F}: name: expected 'bad-app' (the folder name), got 'other-app'; rename the folder or the service so they match`] },
  { name: 'a bad GCP service account (and the AKS client id the identity lacks)', source: valuesFile(`{ ${BASE}, ${WEB}, identity: { gcpServiceAccount: 'notes@gmail.com' } }`), expected: [AKS_ID, `${F}: identity.gcpServiceAccount: expected a GCP service account e-mail like 'patient-notes@acme-care-prod.iam.gserviceaccount.com', got 'notes@gmail.com'`] },
  { name: 'a bad Azure client id', source: valuesFile(`{ ${BASE}, ${WEB}, identity: { azureClientId: 'not-a-guid' } }`), expected: [`${F}: identity.azureClientId: expected an Azure client id, a lowercase GUID like '8b3f5a51-1d9e-4c62-9a43-0c2d7e1f6a90', got 'not-a-guid'`] },
  { name: 'a bad AWS role ARN (and the AKS client id the identity lacks)', source: valuesFile(`{ ${BASE}, ${WEB}, identity: { awsRoleArn: 'arn:aws:iam::12:role/x' } }`), expected: [`${F}: identity.awsRoleArn: expected an IAM role ARN like 'arn:aws:iam::123456789012:role/patient-notes', got 'arn:aws:iam::12:role/x'`, AKS_ID] },
  { name: 'a number as an env value', source: valuesFile(`{ ${BASE}, ${WEB}, env: { PORT: 8080 } }` as string), expected: [`${F}: env.PORT: expected a string value (quote numbers and booleans), got 8080`] },
  { name: 'a secret value instead of a reference', source: valuesFile(`{ ${BASE}, ${WEB}, secrets: { DB: { secret: 'db', key: 'url', value: 'hunter2' } } }`), expected: [`${F}: secrets.DB.value: unknown key 'value': remove it; allowed keys: secret, key, file`] },
  { name: 'a port out of range', source: valuesFile(`{ ${BASE}, processes: { web: { ports: [{ name: 'http', port: 70000 }] } } }`), expected: [`${F}: processes.web.ports[0].port: expected an integer ≤ 65535, got 70000`] },
  { name: 'a typo inside a cluster override', source: valuesFile(`{ ${BASE}, ${WEB}, clusters: { 'prod-*': { processes: { web: { replicsa: 2 } } } } }`), expected: [`${F}: clusters['prod-*'].processes.web.replicsa: unknown key 'replicsa': did you mean 'replicas'?`] },
  { name: 'an override for no known cluster', source: valuesFile(`{ ${BASE}, ${WEB}, clusters: { 'prd-*': { tier: 'batch' } } }`), expected: [`${F}: clusters['prd-*']: expected a cluster name or glob matching the inventory, got 'prd-*', which matches none; known clusters: stage-eu, prod-eu-west, prod-eu-north, prod-azure-weu [FC-OVR-001]`] },
  { name: 'a waiver for an unknown rule', source: valuesFile(`{ ${BASE}, ${WEB}, waivers: { 'FC-NOPE-001': 'because we said so' } }`), expected: [`${F}: waivers.FC-NOPE-001: invalid key: expected a known rule id (see 'npx fleetchart rules'), got 'FC-NOPE-001'`] },
  { name: 'a zero timeout', source: valuesFile(`{ ${BASE}, ${WEB}, routes: { api: { host: 'api', timeout: '0s' } } }`), expected: [`${F}: routes.api.timeout: expected a positive duration like '500ms', '10s' or '2m', got '0s'`] },
  { name: 'a CIDR that is not one', source: valuesFile(`{ ${BASE}, ${WEB}, egress: { cidrs: [{ cidr: '10.400.0.0/33', ports: [443] }] } }`), expected: [`${F}: egress.cidrs[0].cidr: expected an IPv4 CIDR like '10.20.0.0/16' (four numbers 0–255, prefix 0–32), got '10.400.0.0/33'`] },
  { name: 'a CIDR with host bits', source: valuesFile(`{ ${BASE}, ${WEB}, egress: { cidrs: [{ cidr: '10.40.0.1/16', ports: [443] }] } }`), expected: [`${F}: egress.cidrs[0].cidr: expected the network address of the range (host bits zero), e.g. '10.40.0.0/16' rather than '10.40.0.1/16', got '10.40.0.1/16'`] },
  { name: 'a Secret key Kubernetes forbids', source: valuesFile(`{ ${BASE}, ${WEB}, secrets: { DB: { secret: 'db', key: '..data' } } }`), expected: [`${F}: secrets.DB.key: expected a Secret key like 'url' (letters, digits, '-', '_', '.'; not '.', and not starting with '..'), got '..data'`] },
  { name: 'a file that throws while loading', source: `import { service } from '../../lib';\nthrow new Error('boom');\nexport default service({} as never);\n`, expected: [`${F}: expected a module that loads, but it threw: boom; fix that line (run 'node --require tsx/cjs ${F}' to see the stack)`] },
  { name: 'a file that exports nothing', source: `import { service } from '../../lib';\nservice;\n`, expected: [`${F}: expected a default export, found none; end the file with 'export default service({ ... })'`] },
  {
    name: 'several problems at once, one line each',
    source: valuesFile(`{ ${BASE}, tier: 'gold', processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 0, cpu: 'lots' } } }`),
    expected: [
      `${F}: processes.web.cpu: expected a CPU quantity like '250m' (millicores) or '1.5' (cores), got 'lots'`,
      `${F}: processes.web.replicas: expected an integer ≥ 1, got 0`,
      `${F}: tier: expected one of 'critical', 'standard', 'batch', got 'gold'`,
    ],
  },
  {
    name: 'a single prod replica once, listing every prod cluster',
    source: valuesFile(`{ ${BASE}, processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 1 } } }`),
    expected: [
      `${F}: processes.web.replicas: expected at least 2 replicas for a serving process in a prod cluster, got 1; raise replicas, or add waivers: { 'FC-AVAIL-001': '<reason>' } [FC-AVAIL-001] (clusters prod-azure-weu, prod-eu-north, prod-eu-west)`,
    ],
  },
  {
    name: 'a service-level env problem once, not once per process and cluster',
    source: valuesFile(
      `{ ${BASE}, processes: { web: { ports: [{ name: 'http', port: 8080 }] }, worker: { probes: { live: { command: ['true'] } } } }, env: { DB_USER: 'notes' }, secrets: { DB_USER: { secret: 'db', key: 'user' } } }`,
    ),
    expected: [`${F}: env.DB_USER: expected 'DB_USER' in either env or secrets, got both; remove one [FC-PROC-005] (clusters prod-azure-weu, prod-eu-north, prod-eu-west, stage-eu)`],
  },
];

describe('bad values: one line per problem, non-zero exit, charts-out untouched', () => {
  const roots: string[] = [];
  after(() => roots.forEach(removeFleet));

  for (const testCase of cases) {
    it(`reports ${testCase.name}`, async () => {
      const root = makeFleet({ 'apps/good-app/values.ts': GOOD });
      roots.push(root);
      assert.equal((await runCli(root, ['synth'])).code, 0);
      const before = snapshotTree(path.join(root, 'charts-out'));
      fs.mkdirSync(path.join(root, 'apps', 'bad-app'));
      fs.writeFileSync(path.join(root, F), testCase.source);

      const result = await runCli(root, ['synth']);

      assert.equal(result.code, 1);
      assert.deepEqual(result.err, [...testCase.expected, `${testCase.expected.length} problem${testCase.expected.length === 1 ? '' : 's'} found; nothing was written.`]);
      assert.deepEqual(snapshotTree(path.join(root, 'charts-out')), before);
      assert.equal((await runCli(root, ['validate'])).code, 1, 'validate rejects it too');
    });
  }
});
