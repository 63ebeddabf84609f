import { z } from 'zod';

/**
 * Reusable string and number formats of the values contract. Each carries an error text that
 * starts with "expected" and says what fits; the reporter appends what was found.
 */

export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const dnsLabel = (max = 63) =>
  z
    .string({ error: 'expected a string' })
    .regex(DNS_LABEL, {
      error: `expected a DNS-1123 label: lowercase letters, digits and '-', starting with a letter and not ending with '-'`,
    })
    .max(max, { error: `expected at most ${max} characters` });

export const integer = (min: number, max: number) =>
  z
    .number({ error: 'expected a number' })
    .int({ error: `expected an integer between ${min} and ${max}` })
    .min(min, { error: min === 0 ? 'expected an integer ≥ 0' : `expected an integer ≥ ${min}` })
    .max(max, { error: `expected an integer ≤ ${max}` });

/** Kubernetes CPU quantity in cores or millicores. */
export const CPU = /^(\d+m|\d+(\.\d{1,3})?)$/;
export const cpuQuantity = () =>
  z
    .string({ error: `expected a CPU quantity as a string, e.g. '250m' or '1.5'` })
    .regex(CPU, { error: `expected a CPU quantity like '250m' (millicores) or '1.5' (cores)`, abort: true })
    .refine((v) => parseCpuMillis(v) >= 1 && parseCpuMillis(v) <= 64_000, {
      error: 'expected between 1m and 64 cores',
    });

/** Kubernetes memory quantity with a binary suffix. */
export const MEMORY = /^\d+(Ki|Mi|Gi)$/;
export const memoryQuantity = () =>
  z
    .string({ error: `expected a memory quantity as a string, e.g. '512Mi'` })
    .regex(MEMORY, { error: `expected a memory quantity like '512Mi' or '2Gi' (suffix Ki, Mi or Gi)`, abort: true })
    .refine((v) => parseMemoryBytes(v) >= 4 * MI && parseMemoryBytes(v) <= 256 * GI, {
      error: 'expected between 4Mi and 256Gi',
    });

const MI = 1024 * 1024;
const GI = 1024 * MI;

export function parseCpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

export function parseMemoryBytes(quantity: string): number {
  const units: Record<string, number> = { Ki: 1024, Mi: MI, Gi: GI };
  const unit = quantity.slice(-2);
  return Number(quantity.slice(0, -2)) * units[unit];
}

/** Durations as Istio accepts them (at least 1ms), kept to one unit for readability. */
export const DURATION = /^[1-9]\d*(ms|s|m)$/;
export const duration = () =>
  z
    .string({ error: `expected a duration as a string, e.g. '10s'` })
    .regex(DURATION, { error: `expected a positive duration like '500ms', '10s' or '2m'` });

/** An IPv4 network in CIDR notation, given by its network address. */
export const ipv4Cidr = () =>
  z
    .string({ error: `expected an IPv4 CIDR as a string, e.g. '10.20.0.0/16'` })
    .refine((v) => parseCidr(v) !== undefined, { error: `expected an IPv4 CIDR like '10.20.0.0/16' (four numbers 0–255, prefix 0–32)`, abort: true })
    .refine((v) => parseCidr(v)!.hostBits === 0, { error: `expected the network address of the range (host bits zero), e.g. '10.40.0.0/16' rather than '10.40.0.1/16'` });

function parseCidr(value: string): { hostBits: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const hostMask = prefix === 32 ? 0 : (2 ** (32 - prefix) - 1) >>> 0;
  return { hostBits: (address & hostMask) >>> 0 };
}

export function durationMillis(value: string): number {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const factor = { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  return Number(match[1]) * factor;
}

/** An OCI repository without tag or digest: registry host, optional port, path. */
export const IMAGE_REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9]+([._-][a-z0-9]+)*)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;

/**
 * Why a string is not a full repository, for the message: a short name like 'redis' (the node's
 * container runtime would pick the registry: docker.io on one, another mirror on the next), a
 * version in the repository, or a malformed name.
 */
function repositoryProblem(value: string, versionHome: string): string | undefined {
  if (IMAGE_REPOSITORY.test(value)) return undefined;
  const { repository, version } = splitVersion(value);
  if (version !== undefined && IMAGE_REPOSITORY.test(repository)) {
    return `expected the image repository without a version: write image: '${repository}' and put '${version}' in ${versionHome}`;
  }
  if (!repository.includes('/')) {
    return `expected a fully qualified image repository with its registry, e.g. 'docker.io/library/${repository}' or 'europe-docker.pkg.dev/acme-care/apps/${repository}' ('${repository}' is a short name: each node's container runtime would decide which registry it comes from)`;
  }
  return `expected an image repository like 'europe-docker.pkg.dev/acme-care/apps/patient-notes' (lowercase registry host, optional port, path)`;
}

/** `repo[:tag][@digest]` → repository and the version part (`tag`, `sha256:…`, `tag@sha256:…`). */
function splitVersion(reference: string): { repository: string; version?: string } {
  const at = reference.indexOf('@');
  const beforeDigest = at >= 0 ? reference.slice(0, at) : reference;
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > beforeDigest.lastIndexOf('/');
  const repository = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  const tag = hasTag ? beforeDigest.slice(colon + 1) : undefined;
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const version = tag !== undefined && digest !== undefined ? `${tag}@${digest}` : (tag ?? digest);
  return { repository, version };
}

export const imageRepository = () =>
  z
    .string({ error: 'expected an image repository as a string' })
    .check((ctx) => {
      const problem = repositoryProblem(ctx.value, 'release.default');
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    });

/** A release version: an image tag (never `latest`), a sha256 digest, or both as `tag@sha256:…`. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Whether a string is a release version: `tag`, `sha256:<64 hex>` or `tag@sha256:<64 hex>`. */
export function isImageVersion(v: string): boolean {
  const at = v.indexOf('@');
  if (at >= 0) return IMAGE_TAG.test(v.slice(0, at)) && v.slice(0, at) !== 'latest' && IMAGE_DIGEST.test(v.slice(at + 1));
  return IMAGE_TAG.test(v) || IMAGE_DIGEST.test(v);
}

export const imageVersion = () =>
  z
    .string({ error: 'expected a version as a string' })
    .refine((v) => v !== 'latest', {
      error: `expected a pinned version such as '2026.11.3' (the tag you tested)`,
      abort: true,
    })
    .refine(isImageVersion, {
      error: `expected an image tag like '2026.11.3', a digest 'sha256:<64 hex>', or both: '2026.11.3@sha256:<64 hex>'`,
    });

/** The image a release version of a repository runs: `repo:tag`, `repo@sha256:…` or `repo:tag@sha256:…`. */
export function imageAt(repository: string, version: string): string {
  return version.startsWith('sha256:') ? `${repository}@${version}` : `${repository}:${version}`;
}

/** A full image reference pinned by tag or digest, for helper processes with their own image. */
export const pinnedImage = () =>
  z
    .string({ error: 'expected an image reference as a string' })
    .refine((v) => splitImage(v)?.version !== 'latest', {
      error: `expected a pinned version such as ':v1.31.2' (the tag you tested)`,
      abort: true,
    })
    .check((ctx) => {
      if (splitImage(ctx.value) !== undefined) return;
      const { repository, version } = splitVersion(ctx.value);
      const shortName = !repository.includes('/');
      ctx.issues.push({
        code: 'custom',
        input: ctx.value,
        message: shortName
          ? `expected a fully qualified image with its registry, e.g. 'docker.io/library/${repository}:${version ?? '<tag>'}@sha256:<digest>' ('${repository}' is a short name: each node's container runtime would decide which registry it comes from)`
          : `expected an image pinned by tag or digest, e.g. 'docker.io/envoyproxy/envoy:v1.31.2@sha256:<digest>'`,
      });
    });

/** `repo:tag`, `repo@sha256:…` or `repo:tag@sha256:…` → repository and version (as release versions write it). */
export function splitImage(reference: string): { repository: string; version: string } | undefined {
  const { repository, version } = splitVersion(reference);
  return version !== undefined && IMAGE_REPOSITORY.test(repository) && isImageVersion(version) ? { repository, version } : undefined;
}

/** Environment variable names as POSIX shells accept them. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envName = () =>
  z.string().regex(ENV_NAME, { error: `expected an environment variable name like 'LOG_LEVEL' (letters, digits, '_')` });

/** IANA service name, which Kubernetes requires for port names. */
export const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const portName = () =>
  z
    .string({ error: 'expected a port name as a string' })
    .regex(PORT_NAME, { error: `expected a port name like 'http' or 'grpc-api' (lowercase letters, digits, '-')` })
    .max(15, { error: 'expected a port name of at most 15 characters' });

export const GCP_SERVICE_ACCOUNT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const AWS_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const GCP_PROJECT = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
export const AWS_ACCOUNT = /^\d{12}$/;

export const HTTP_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
export const httpPath = () =>
  z.string({ error: 'expected a path as a string' }).regex(HTTP_PATH, { error: `expected an absolute URL path like '/healthz'` });
