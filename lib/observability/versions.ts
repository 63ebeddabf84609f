import type { ResolvedService } from '../values/model';

/**
 * The versions of a service as monitoring sees them: which one is the default, which one is rolling
 * out, and who is on which. Alerts, dashboards and `fleetchart verdict` read the release model
 * only through `observedVersions`, so a change of the release model is an edit here.
 *
 * Versions are compared by their pod label `version` (LABEL.istioVersion), which Istio reports as
 * `destination_version` on its request metrics.
 */
export interface ObservedVersions {
  /** Label value of the default version: the one every comparison is against. */
  readonly defaultVersion: string;
  /** Label value of the version rolling out, when one is. */
  readonly rollingOut?: string;
  /** Label value → release version (tag or digest), default first. */
  readonly versions: readonly { readonly label: string; readonly version: string }[];
  /** Who is routed to which version, in the order the mesh decides. */
  readonly placement: readonly { readonly who: string; readonly version: string }[];
}

export function observedVersions(service: ResolvedService): ObservedVersions {
  const { release, rules } = service.traffic;
  const defaultVersion = release.default.label;
  const versions = [release.default, ...release.versions.filter((v) => v !== release.default)].map((v) => ({ label: v.label, version: v.version }));
  const rollingOut = release.rollout?.version.label;
  // The mesh's own rules, first match wins; a service without organization routing runs the default for everybody.
  // User ids are personal data (often e-mail addresses): the dashboard counts pinned users, never names them.
  const who = (rule: (typeof rules)[number]) => (rule.kind === 'users' && rule.match && 'exact' in rule.match ? `${rule.match.exact.length} pinned user${rule.match.exact.length === 1 ? '' : 's'}` : rule.description);
  const placement = rules.length > 0 ? rules.map((rule) => ({ who: who(rule), version: rule.version.label })) : [{ who: 'every organization', version: defaultVersion }];
  return { defaultVersion, ...(rollingOut !== undefined ? { rollingOut } : {}), versions, placement };
}
