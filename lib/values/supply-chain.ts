import type { Cluster } from '../clusters/schema';
import { IMAGE_DIGEST } from './formats';
import type { Report } from './report-rule';

/**
 * Supply chain: what a cluster demands of the image versions it runs. A tag can be moved to
 * other bytes by anyone who can push to the registry; a digest cannot. Prod clusters run only
 * digests (`2026.11.3@sha256:…` keeps the tag, so people still see the version; the kubelet pulls
 * by the digest and ignores the tag: https://kubernetes.io/docs/concepts/containers/images/#image-names),
 * stage clusters may run tags.
 */
export function digestRequired(cluster: Cluster): boolean {
  return cluster.environment === 'prod';
}

/** The digest of a version (`sha256:…`, `tag@sha256:…`) or image reference (`repo:tag@sha256:…`), if any. */
export function digestOf(versionOrImage: string): string | undefined {
  const at = versionOrImage.lastIndexOf('@');
  const candidate = at >= 0 ? versionOrImage.slice(at + 1) : versionOrImage;
  return IMAGE_DIGEST.test(candidate) ? candidate : undefined;
}

/**
 * FC-IMG-002 for one version reference, reported at `path`: where the version was written
 * (`release.stable`, a rollout's version, a process's `image`). Works on any value that names a
 * version or a full image, so every shape of the release model can call it per version.
 */
export function checkVersionPinned(versionOrImage: string, path: PropertyKey[], cluster: Cluster, report: Report): void {
  if (!digestRequired(cluster) || digestOf(versionOrImage) !== undefined) return;
  report(
    path,
    'FC-IMG-002',
    `expected a version pinned by digest in prod cluster ${cluster.name}, got '${versionOrImage}' (a tag can be moved to other bytes); write '${versionOrImage}@sha256:<digest>' (the tag stays readable; the digest is what runs), or add waivers: { 'FC-IMG-002': '<reason>' }`,
  );
}
