import { ClusterView, Located, describeObject } from '../context';
import { kindSchemas } from '../kinds';
import type { SchemaError } from '../schema';

/**
 * FC-SCHEMA-001, FC-SCHEMA-002: every object against the vendored Kubernetes or CRD schema, with
 * unknown fields as errors (like `kubectl --validate=strict` and `kubeconform -strict`).
 */
export function checkSchemas(view: ClusterView): void {
  const schemas = kindSchemas();
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
