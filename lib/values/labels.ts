/** Label keys in one place, so selectors and objects never disagree. */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  managedBy: 'app.kubernetes.io/managed-by',
  team: 'team',
  track: 'track',
  istioApp: 'app',
  istioVersion: 'version',
} as const;

export const MANAGED_BY = 'fleetchart';

/**
 * A release version as a label value: at most 63 characters of [A-Za-z0-9._-] that start and
 * end alphanumeric. Digests become `sha256-<12 hex>`, `tag@sha256:…` its tag; tags are cut and trimmed to fit.
 */
export function versionLabel(version: string): string {
  if (version.startsWith('sha256:')) return `sha256-${version.slice(7, 19)}`;
  // `tag@sha256:…`: the tag is the version people read.
  if (version.includes('@')) return versionLabel(version.slice(0, version.indexOf('@')));
  return version.slice(0, 63).replace(/^[-_.]+/, '').replace(/[-_.]+$/, '');
}
