import { versionLabel } from '../values/labels';
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
  const process = service.processes.find((p) => p.http) ?? service.processes[0];
  const stable = process.tracks.find((t) => t.track === 'stable')!.version;
  const canary = service.traffic.canary;
  const defaultVersion = versionLabel(stable);
  const versions = [{ label: defaultVersion, version: stable }];
  if (!canary) return { defaultVersion, versions, placement: [{ who: 'every organization', version: defaultVersion }] };
  const rollingOut = versionLabel(canary.version);
  versions.push({ label: rollingOut, version: canary.version });
  const placement = [
    ...canary.holdOrgs.map((org) => ({ who: `organization ${org} (held)`, version: defaultVersion })),
    ...canary.orgs.map((org) => ({ who: `organization ${org} (pinned)`, version: rollingOut })),
    ...canary.users.map((user) => ({ who: `user ${user} (pinned)`, version: rollingOut })),
    ...(canary.weight > 0 ? [{ who: `organization buckets 0-${canary.weight - 1} (${canary.weight}% of the rest)`, version: rollingOut }] : []),
    ...(canary.weight < 100 ? [{ who: `organization buckets ${canary.weight}-99 (${100 - canary.weight}% of the rest)`, version: defaultVersion }] : []),
  ];
  return { defaultVersion, rollingOut, versions, placement };
}
