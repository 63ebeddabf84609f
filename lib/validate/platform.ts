import type { Cluster } from '../clusters/schema';
import type { Finding } from '../findings';
import { INVENTORY_FILE } from '../load';
import type { Manifest } from '../manifest';
import { kindSchemas } from './kinds';

/**
 * The validate stage for a cluster's platform objects (lib/constructs/platform-chart.ts): each
 * against its CRD schema, as the API server will check it. Findings point at the inventory,
 * which decides what these objects contain.
 */
export function validatePlatform(cluster: Cluster, documents: readonly Manifest[]): Finding[] {
  const schemas = kindSchemas();
  const findings: Finding[] = [];
  const at = (doc: Manifest) => `${doc.kind} ${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name}`;
  for (const doc of documents) {
    const validator = schemas.validator(doc.apiVersion, doc.kind);
    if (!validator) {
      findings.push({ file: INVENTORY_FILE, path: '', severity: 'error', rule: 'FC-SCHEMA-001', cluster: cluster.name, message: `expected a kind with a known schema, got apiVersion '${doc.apiVersion}' kind '${doc.kind}' in ${at(doc)}; known: ${schemas.knownKinds.join(', ')}` });
      continue;
    }
    const errors: Parameters<typeof validator>[2] = [];
    validator(doc, [], errors);
    for (const error of errors) {
      findings.push({ file: INVENTORY_FILE, path: '', severity: 'error', rule: 'FC-SCHEMA-001', cluster: cluster.name, message: `${at(doc)} ${error.path || '(root)'}: ${error.message}; the API server would reject this object` });
    }
  }
  return findings;
}
