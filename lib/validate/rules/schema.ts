import type { Finding } from '../../findings';
import { INVENTORY_FILE } from '../../load';
import { ClusterView, Located, containersOf, describeObject, podTemplate } from '../context';
import { SUPPORTED_MINORS, kindSchemas } from '../kinds';
import type { SchemaError } from '../schema';

/**
 * FC-SCHEMA-001, FC-SCHEMA-002: every object against the vendored schema of the cluster's
 * Kubernetes minor (`kubernetesVersion` in the inventory) or the CRD schema, with unknown fields
 * as errors (like `kubectl --validate=strict` and `kubeconform -strict`). FC-SCHEMA-003: the
 * cluster's version serves every feature the rendered objects use.
 */
export function checkSchemas(view: ClusterView): void {
  const minor = view.cluster.kubernetesVersion;
  const tooOld = checkFeatures(view, minor);
  if (!SUPPORTED_MINORS.includes(minor)) {
    // A cluster too old for a rendered feature is reported once, by the feature; otherwise its objects cannot be checked.
    if (!tooOld) {
      view.findings.push(clusterFinding(view, `expected a Kubernetes version fleetchart has the API schemas of (${SUPPORTED_MINORS.join(', ')}), got '${minor}' for cluster ${view.cluster.name}; upgrade the cluster, or vendor that version (SUPPORTED in lib/validate/schemas/vendor.ts)`));
    }
    return;
  }
  const schemas = kindSchemas(minor);
  const errors: SchemaError[] = [];
  for (const at of view.all) {
    const { apiVersion, kind } = at.doc;
    const validator = schemas.validator(String(apiVersion), String(kind));
    if (!validator) {
      view.report(at, 'FC-SCHEMA-001', view.processPath(at), `expected a kind with a known schema, got apiVersion '${apiVersion}' kind '${kind}' in ${describeObject(at)}; known: ${schemas.knownKinds.join(', ')}`);
      continue;
    }
    if (schemas.removedInCurrent(String(apiVersion), String(kind))) {
      view.report(at, 'FC-SCHEMA-002', view.processPath(at), `expected a kind that Kubernetes ${schemas.currentVersion} still serves, got ${apiVersion} ${kind}; move to its current API version`);
    }
    errors.length = 0;
    validator(at.doc, [], errors);
    for (const error of errors) report(view, at, error);
  }
}

function report(view: ClusterView, at: Located, error: SchemaError): void {
  const where = `${describeObject(at)} ${error.path || '(root)'}`;
  if (error.kind === 'removed') {
    view.report(at, 'FC-SCHEMA-002', view.processPath(at), `${where}: ${error.message}`);
  } else {
    view.report(at, 'FC-SCHEMA-001', view.processPath(at), `${where}: ${error.message}; the API server would reject this object`);
  }
}

/** A Kubernetes feature fleetchart renders, the first minor that serves it by default, and how to see it in an object. */
interface Feature {
  readonly name: string;
  readonly minimum: string;
  readonly uses: (at: Located) => boolean;
}

/**
 * What the rendered objects need from the cluster beyond their schema. A field can be in a
 * version's schema but off by default (alpha feature gates): the minimum is where it is on.
 */
export const FEATURES: readonly Feature[] = [
  {
    // PodLifecycleSleepAction: alpha 1.29, beta and on by default 1.30, GA 1.34
    // (https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#hook-handler-implementations).
    name: 'the preStop sleep action (lifecycle.preStop.sleep: the drain delay on images without a sleep binary)',
    minimum: '1.30',
    uses: (at) => {
      const pod = podTemplate(at.doc);
      return pod ? containersOf(pod.spec).some((c) => c.lifecycle?.preStop?.sleep !== undefined) : false;
    },
  },
];

/** Reports each feature the cluster's version does not serve; whether there was one. */
function checkFeatures(view: ClusterView, minor: string): boolean {
  let missing = false;
  for (const feature of FEATURES) {
    if (minorNumber(minor) >= minorNumber(feature.minimum)) continue;
    const services = [...new Set(view.all.filter(feature.uses).map((at) => at.file.service.name))].sort();
    if (services.length === 0) continue;
    missing = true;
    view.findings.push(
      clusterFinding(
        view,
        `expected Kubernetes ${feature.minimum} or newer for cluster ${view.cluster.name}, got ${minor}: the rendered objects use ${feature.name}, which needs ${feature.minimum} (services: ${services.join(', ')}); upgrade the cluster and raise kubernetesVersion`,
      ),
    );
  }
  return missing;
}

/** A finding on the cluster's entry of the inventory: the fix is there (or in the cluster), not in a service. */
function clusterFinding(view: ClusterView, message: string): Finding {
  return { file: INVENTORY_FILE, path: 'kubernetesVersion', message, rule: 'FC-SCHEMA-003', severity: 'error', cluster: view.cluster.name };
}

function minorNumber(minor: string): number {
  return Number(minor.split('.')[1]);
}
