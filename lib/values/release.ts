import type { Cluster } from '../clusters/schema';
import { DEFAULTS, PROD_MIN_SERVING_REPLICAS } from './defaults';
import { versionLabel } from './labels';
import type { ResolvedProcess, ResolvedRelease, ResolvedRollout, ResolvedService, ResolvedVersion, RouteRule } from './model';
import type { Report } from './report-rule';
import type { ParsedServiceValues } from './schema';

/**
 * The release model: which versions run, and which version each organization gets. Pure
 * functions of the values and the cluster; the constructs render what these decide, and
 * `versionFor` / `routeVersions` answer the same question for `fleetchart routes` and the tests
 * that check the rendered routing (through Envoy's matching) against it.
 *
 * An organization is on exactly one live version: its pin (`release.orgs`, holds included),
 * else the rollout version when its bucket (0–99, a stable hash of the organization the ingress
 * gateway sets) is below the rollout weight and no rollback is on, else the default. A pinned
 * user (`release.users`) is the one exception and wins over their organization. A request
 * without a bucket (no organization: anonymous pages, health checks) gets the default: nothing
 * is ever split per request at random.
 */

/** A version as a DNS label: the DestinationRule subset name and the Deployment name suffix. */
/** A version as people read it: the tag of `tag@sha256:…` (the digest is what runs, the tag what they know). */
export function shownVersion(version: string): string {
  return version.includes('@') ? version.slice(0, version.indexOf('@')) : version;
}

export function versionId(version: string): string {
  if (version.startsWith('sha256:')) return `sha256-${version.slice(7, 19)}`;
  // `tag@sha256:…`: named by its tag, so pinning a digest renames nothing.
  if (version.includes('@')) return versionId(version.slice(0, version.indexOf('@')));
  const id = version.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 40).replace(/-+$/, '');
  return id || 'v';
}

export function resolveRelease(values: ParsedServiceValues, report: Report): ResolvedRelease | undefined {
  const written = values.release;
  const at = (...rest: PropertyKey[]) => ['release', ...rest];
  let ok = true;
  const fail: Report = (path, rule, message) => {
    ok = false;
    report(path, rule, message);
  };
  const listed = written.versions ?? [...new Set([written.default, ...(written.rollout ? [written.rollout.version] : [])])];
  const release = byTag(written, listed);
  const quoted = listed.map((v) => `'${v}'`).join(', ');
  const ids = new Map<string, string>();
  const labels = new Map<string, string>();
  listed.forEach((version, i) => {
    const id = versionId(version);
    const label = versionLabel(version);
    if (listed.indexOf(version) !== i) fail(at('versions', i), 'FC-RELEASE-005', `expected each version once, got '${version}' twice; remove the duplicate`);
    else if (ids.has(id) || labels.has(label)) {
      fail(at('versions', i), 'FC-RELEASE-005', `expected versions that stay distinct as Kubernetes names and labels, got '${version}' and '${ids.get(id) ?? labels.get(label)}', which both become '${ids.has(id) ? id : label}'; retag one of them`);
    }
    ids.set(id, version);
    labels.set(label, version);
  });
  if (!listed.includes(release.default)) {
    fail(at('default'), 'FC-RELEASE-001', `expected one of release.versions (${quoted}), got '${release.default}'; add it to versions`);
  }
  const rollout = release.rollout;
  let weight = 0;
  if (rollout) {
    if (!listed.includes(rollout.version)) fail(at('rollout', 'version'), 'FC-RELEASE-001', `expected one of release.versions (${quoted}), got '${rollout.version}'; add it to versions`);
    else if (rollout.version === release.default) fail(at('rollout', 'version'), 'FC-RELEASE-001', `expected a version other than the default '${release.default}'; to promote it, set default and remove rollout`);
    const steps = rollout.steps ?? DEFAULTS.rolloutSteps;
    if (rollout.weight !== undefined && rollout.step !== undefined) {
      fail(at('rollout', 'step'), 'FC-RELEASE-004', `expected either weight or step, got both (weight ${rollout.weight}, step ${rollout.step}); keep one`);
    } else if (rollout.step !== undefined && rollout.step >= steps.length) {
      fail(at('rollout', 'step'), 'FC-RELEASE-002', `expected an index into steps [${steps.join(', ')}] (0–${steps.length - 1}), got ${rollout.step}`);
    }
    weight = rollout.step !== undefined ? (steps[rollout.step] ?? 0) : (rollout.weight ?? 0);
  }
  // A version leaves the list only after nobody is pinned to it: one line per version, naming them.
  const orgPins = sortedRecord(release.orgs ?? {});
  const userPins = sortedRecord(release.users ?? {});
  const pinnedTo = (version: string) => ({
    orgs: Object.keys(orgPins).filter((org) => orgPins[org] === version),
    users: Object.keys(userPins).filter((user) => userPins[user] === version),
  });
  const missing = [...new Set([...Object.values(orgPins), ...Object.values(userPins)])].filter((v) => !listed.includes(v)).sort();
  for (const version of missing) {
    const { orgs, users } = pinnedTo(version);
    const group = (ids: string[], one: string, where: string) => (ids.length ? `${one}${ids.length === 1 ? '' : 's'} ${ids.join(', ')} (${where})` : '');
    const who = [group(orgs, 'organization', 'release.orgs'), group(users, 'user', 'release.users')].filter(Boolean).join(' and ');
    const listedHint = `keep it live: versions: [${[...listed, version].map((v) => `'${v}'`).join(', ')}]`;
    fail(at('versions'), 'FC-RELEASE-003', `expected '${version}' to stay a live version while ${who} ${orgs.length + users.length === 1 ? 'is' : 'are'} pinned to it, found it missing; ${listedHint} until they are moved`);
  }
  if (!ok) return undefined;

  const versions: ResolvedVersion[] = listed.map((version) => {
    const role = version === release.default ? 'default' : version === rollout?.version ? 'rollout' : pinnedTo(version).orgs.length ? 'held' : 'kept';
    return { version, id: versionId(version), label: versionLabel(version), role, ...pinnedTo(version) };
  });
  const byVersion = (version: string) => versions.find((v) => v.version === version)!;
  const resolvedRollout: ResolvedRollout | undefined = rollout && {
    version: byVersion(rollout.version),
    weight,
    step: rollout.step !== undefined ? { index: rollout.step, steps: rollout.steps ?? DEFAULTS.rolloutSteps } : undefined,
    rollback: rollout.rollback ?? false,
  };
  return { versions, default: byVersion(release.default), rollout: resolvedRollout, orgPins, userPins };
}

/**
 * The release with every version reference made a live version: a tag alone names the live
 * `tag@sha256:…` of that tag, so the default, the rollout and pins need not repeat the digest
 * that `versions` carries (prod clusters run digests, people read tags).
 */
function byTag(release: ParsedServiceValues['release'], listed: readonly string[]): ParsedServiceValues['release'] {
  const live = (v: string) => (listed.includes(v) ? v : (listed.find((l) => l.includes('@') && l.slice(0, l.indexOf('@')) === v) ?? v));
  const pins = (record?: Record<string, string>) => record && Object.fromEntries(Object.entries(record).map(([id, v]) => [id, live(v)]));
  return {
    ...release,
    default: live(release.default),
    ...(release.rollout ? { rollout: { ...release.rollout, version: live(release.rollout.version) } } : {}),
    ...(release.orgs ? { orgs: pins(release.orgs) } : {}),
    ...(release.users ? { users: pins(release.users) } : {}),
  };
}

/** Just the default version, for checking the rest of a service whose release has errors. */
export function defaultOnlyRelease(version: string): ResolvedRelease {
  const only: ResolvedVersion = { version, id: versionId(version), label: versionLabel(version), role: 'default', orgs: [], users: [] };
  return { versions: [only], default: only, orgPins: {}, userPins: {} };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]]));
}

/** Whether the rollout moves organizations now: a weight above 0 and no rollback. */
export function rolloutActive(release: ResolvedRelease): boolean {
  return release.rollout !== undefined && release.rollout.weight > 0 && !release.rollout.rollback;
}

/**
 * The HTTP routing of a process routed by organization, first match wins. Header matches only,
 * exact per id (so no regex grows with the pin lists: Istio rejects regexes over 1,024
 * characters), and the bucket as a regex over canonical decimals with any leading zeros.
 */
export function routeRules(release: ResolvedRelease, routing: Cluster['routing']): RouteRule[] {
  const rules: RouteRule[] = [];
  const pinned = (kind: 'users' | 'orgs', header: string, pins: Record<string, string>) => {
    for (const version of release.versions) {
      const ids = Object.keys(pins).filter((id) => pins[id] === version.version);
      if (!ids.length) continue;
      const why = kind === 'users' ? 'pinned user' : version === release.rollout?.version ? 'pinned' : 'held';
      rules.push({ name: `${kind}-${version.id}`, kind, match: { header, exact: ids }, version, description: `${kind} ${ids.join(', ')} → ${shownVersion(version.version)} (${why})` });
    }
  };
  pinned('users', routing.userHeader, release.userPins);
  pinned('orgs', routing.orgHeader, release.orgPins);
  const rollout = release.rollout;
  if (rollout && rolloutActive(release)) {
    rules.push({
      name: 'rollout',
      kind: 'rollout',
      match: { header: routing.bucketHeader, regex: bucketRegex(rollout.weight) },
      version: rollout.version,
      description: `org buckets 0–${rollout.weight - 1} → ${shownVersion(rollout.version.version)} (rollout ${describeWeight(rollout)})`,
    });
  }
  const note = rollout?.rollback ? `; rollback of ${shownVersion(rollout.version.version)}` : rollout && rollout.weight === 0 ? `; ${shownVersion(rollout.version.version)} at 0%` : '';
  rules.push({ name: 'default', kind: 'default', version: release.default, description: `${rules.length ? 'everyone else' : 'everyone'} → ${shownVersion(release.default.version)} (default${note})` });
  return rules;
}

function describeWeight(rollout: ResolvedRollout): string {
  return rollout.step ? `step ${rollout.step.index} of [${rollout.step.steps.join(', ')}]: ${rollout.weight}%` : `${rollout.weight}%`;
}

/**
 * A regex matching the buckets 0 … weight-1 written as decimals, with or without leading zeros
 * (`5`, `05` and `005` are the same bucket, so a differently formatted header cannot change a
 * version). Envoy matches header regexes against the whole value (RE2).
 */
export function bucketRegex(weight: number): string {
  if (weight >= 100) return '^0*[0-9]{1,2}$';
  const n = weight - 1;
  if (n < 10) return `^0*[0-${n}]$`;
  const tens = Math.floor(n / 10);
  const units = n % 10;
  const parts = ['[0-9]'];
  if (tens >= 2) parts.push(tens === 2 ? '1[0-9]' : `[1-${tens - 1}][0-9]`);
  parts.push(`${tens}[0-${units}]`);
  return `^0*(${parts.join('|')})$`;
}

/** The bucket a header value names (0–99, leading zeros allowed), or undefined: not a bucket. */
export function parseBucket(value: number | string | undefined): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 99 ? value : undefined;
  if (value === undefined || !/^0*[0-9]{1,2}$/.test(value)) return undefined;
  return Number(value);
}

/** Who is asking: the organization (and its bucket, as the gateway sets it) and/or the user. */
export interface Requester {
  readonly org?: string;
  /** The organization's bucket 0–99, or the `x-care-org-bucket` header value as sent. */
  readonly bucket?: number | string;
  readonly user?: string;
}

export type VersionReason = 'pinned-user' | 'pinned' | 'held' | 'bucket' | 'rollback' | 'default' | 'no-bucket' | 'default-only' | 'own-image';

export interface VersionDecision {
  readonly version: string;
  /** The DestinationRule subset the request goes to (absent for own-image helpers). */
  readonly subset?: string;
  readonly reason: VersionReason;
  /** One line for people: why this version. */
  readonly why: string;
}

/** The version a request of this organization, bucket and user gets on a process routed by organization. */
export function versionFor(release: ResolvedRelease, who: Requester): VersionDecision {
  const decide = (version: ResolvedVersion, reason: VersionReason, why: string): VersionDecision => ({ version: version.version, subset: version.id, reason, why });
  const byVersion = (version: string) => release.versions.find((v) => v.version === version)!;
  if (who.user !== undefined && release.userPins[who.user] !== undefined) {
    return decide(byVersion(release.userPins[who.user]), 'pinned-user', `user ${who.user} is pinned to ${release.userPins[who.user]} (release.users)`);
  }
  if (who.org !== undefined && release.orgPins[who.org] !== undefined) {
    const version = byVersion(release.orgPins[who.org]);
    const held = version !== release.rollout?.version;
    return decide(version, held ? 'held' : 'pinned', `organization ${who.org} is ${held ? 'held on' : 'pinned to'} ${shownVersion(version.version)} (release.orgs)`);
  }
  const bucket = parseBucket(who.bucket);
  const rollout = release.rollout;
  if (bucket === undefined) {
    const what = who.bucket === undefined ? 'no organization bucket' : `'${who.bucket}' is not a bucket 0–99`;
    return decide(release.default, 'no-bucket', `${what}: the default ${shownVersion(release.default.version)}`);
  }
  if (rollout && bucket < rollout.weight) {
    if (rollout.rollback) return decide(release.default, 'rollback', `bucket ${bucket} < ${rollout.weight}, but the rollout of ${shownVersion(rollout.version.version)} is rolled back: the default ${shownVersion(release.default.version)}`);
    return decide(rollout.version, 'bucket', `bucket ${bucket} < ${rollout.weight} (rollout ${describeWeight(rollout)}): ${shownVersion(rollout.version.version)}`);
  }
  const rest = rollout ? `bucket ${bucket} ≥ ${rollout.weight}` : `no rollout`;
  return decide(release.default, 'default', `${rest}: the default ${shownVersion(release.default.version)}`);
}

/** One HTTP entry point of a service: an external route's path, or a process's mesh host. */
export interface RouteVersion extends VersionDecision {
  readonly via: 'gateway' | 'mesh';
  readonly host: string;
  /** The path prefix of an external route; absent for the mesh. */
  readonly path?: string;
  readonly process: string;
}

/**
 * For a resolved service on its cluster: the version a request of `who` gets on each external
 * route path and each mesh host, and why. This is what the rendered VirtualServices and
 * DestinationRules must do, evaluated the way Envoy matches routes.
 */
export function routeVersions(service: ResolvedService, who: Requester): RouteVersion[] {
  const out: RouteVersion[] = [];
  const forProcess = (process: ResolvedProcess): VersionDecision => processVersion(service.traffic.release, process, who);
  for (const route of service.traffic.routes) {
    const process = service.processes.find((p) => p.name === route.process)!;
    for (const path of route.paths) out.push({ via: 'gateway', host: route.host, path, process: process.name, ...forProcess(process) });
  }
  for (const process of service.processes.filter((p) => p.http)) out.push({ via: 'mesh', host: process.internalHost, process: process.name, ...forProcess(process) });
  return out;
}

function processVersion(release: ResolvedRelease, process: ResolvedProcess, who: Requester): VersionDecision {
  if (process.release === 'routed') return versionFor(release, who);
  if (process.release === 'own-image') {
    return { version: process.deployments[0].version, reason: 'own-image', why: `helper with its own image ${process.deployments[0].image}: outside the release` };
  }
  return { version: release.default.version, subset: release.default.id, reason: 'default-only', why: `${process.name} cannot be routed by organization (${unroutableBecause(process)}): the default ${shownVersion(release.default.version)}` };
}

/** Why a process cannot be routed by organization. */
export function unroutableBecause(process: Pick<ResolvedProcess, 'ports'>): string {
  const tcp = process.ports.filter((p) => p.protocol === 'tcp' || p.protocol === 'tls');
  return tcp.length ? `${tcp.map((p) => `${p.protocol} port ${p.name}`).join(', ')}` : 'no ports';
}

/**
 * Pods per version of a process. The default runs the process's replicas; so does a version
 * organizations are pinned to (they keep the capacity they had when promotions move on), and
 * the rollout version at its share of buckets. Other versions run the floor a serving process
 * needs (2 in prod). Processes that share work by replicas run the rollout version at its share
 * only, and none at weight 0 or under a rollback.
 */
export function versionReplicas(release: ResolvedRelease, version: ResolvedVersion, replicas: number, mode: ResolvedProcess['release'], prod: boolean): number {
  const share = (weight: number) => Math.ceil((replicas * weight) / 100);
  if (version === release.default) return replicas;
  if (mode === 'shared') return release.rollout && version === release.rollout.version && !release.rollout.rollback ? share(release.rollout.weight) : 0;
  const floor = Math.min(replicas, prod ? PROD_MIN_SERVING_REPLICAS : 1);
  if (version.orgs.length) return replicas;
  if (version === release.rollout?.version && !release.rollout.rollback) return Math.min(replicas, Math.max(floor, share(release.rollout.weight)));
  return floor;
}
