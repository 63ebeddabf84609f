/**
 * The organization bucket: which of 100 equal slices of the organizations one organization falls
 * in. Rollout weights select buckets (`bucket < weight`), so every user of an organization sees
 * the same version, and an organization stays on the new version as the weight grows.
 *
 * bucket(org) = FNV-1a-32(UTF-8 bytes of org) mod 100
 *
 * FNV-1a 32-bit (http://www.isthe.com/chongo/tech/comp/fnv/): h = 2166136261; for each byte b:
 * h = ((h XOR b) * 16777619) mod 2^32. The bucket is that unsigned 32-bit value mod 100, written
 * as canonical decimal (`0`..`99`, no sign, no leading zero). The ingress gateway computes the
 * same function in Lua (lib/gateway/identity.lua, `organization_bucket`); test/lua/ runs that
 * code under LuaJIT and checks both agree on every test vector.
 */

export const BUCKETS = 100;

const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;
const utf8 = new TextEncoder();

/** FNV-1a 32-bit of a byte string, as an unsigned 32-bit integer. */
export function fnv1a32(bytes: Uint8Array): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  return hash;
}

/**
 * The bucket (0–99) of an organization id, as the ingress gateway computes it into the bucket
 * header (`routing.bucketHeader` of the inventory). An empty id has no bucket: the gateway sends
 * no organization and no bucket then.
 */
export function organizationBucket(organization: string): number {
  if (organization === '') throw new Error('an empty organization id has no bucket');
  return fnv1a32(utf8.encode(organization)) % BUCKETS;
}

/** The bucket header's value for an organization: canonical decimal, e.g. `7`, never `07`. */
export function organizationBucketHeader(organization: string): string {
  return String(organizationBucket(organization));
}
