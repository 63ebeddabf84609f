/**
 * The public API of fleetchart for values files and the cluster inventory.
 *
 *   import { service } from '../../lib';
 *   export default service({ name: 'patient-notes', ... });
 */
import type { ClusterInput } from './clusters/schema';
import type { ServiceOverrideInput, ServiceValuesInput } from './values/types.generated';

/**
 * What a service's `values.ts` declares. Hover a field in the editor for its documentation: the
 * types are generated from the schema with each field's description as JSDoc
 * (lib/values/typegen.ts), and equal the schema's own input type (test/editor-docs.test.ts).
 */
export type ServiceValues = ServiceValuesInput & {
  /**
   * Per-cluster overrides keyed by cluster name or glob (`'prod-*'`). Globs apply first, in the
   * order written, the exact cluster name last. Objects merge deeply, scalars replace, `env`,
   * `secrets` and `ports` merge by name, other lists replace.
   */
  clusters?: Record<string, ServiceOverride>;
};

/** A per-cluster override: any service field except `name`, all optional. */
export type ServiceOverride = ServiceOverrideInput;

/**
 * Declares a service. Returns its argument unchanged: validation happens when fleetchart loads
 * the file, so every problem of every file is reported at once.
 */
export function service(values: ServiceValues): ServiceValues {
  return values;
}

/** Declares the fleet's clusters (apps/clusters.ts). */
export function clusters(list: ClusterInput[]): ClusterInput[] {
  return list;
}

export type { ClusterInput };
export { DEFAULTS } from './values/defaults';
/** The bucket (0–99) the ingress gateway computes for an organization (README "Identity at the gateway"). */
export { organizationBucket } from './gateway/bucket';
