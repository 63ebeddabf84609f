import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DERIVE_FILTER, STRIP_FILTER } from '../../lib/constructs/gateway';
import { organizationBucket } from '../../lib/gateway/bucket';
import type { Manifest } from '../../lib/manifest';
import { renderFleet } from '../../lib/pipeline';
import { REPO } from '../support/fleet';
import { GatewayRequest, GatewayScripts, HeaderList, luajitVersion, runGateway, valuesOf } from './luajit';

/**
 * The ingress gateway's identity filters, run as Envoy runs them: the Lua code exactly as
 * rendered into each cluster's EnvoyFilter, under LuaJIT, against a mock of Envoy's request
 * handle. Between the two filters the test does what Istio's jwt_authn does for a verified
 * token: append each claim named in the rendered RequestAuthentication's outputClaimToHeaders.
 */
const fleet = renderFleet(REPO);

interface ClusterGateway {
  readonly cluster: string;
  readonly scripts: GatewayScripts;
  readonly org: string;
  readonly user: string;
  readonly bucket: string;
  /** Claim name → header, from the rendered RequestAuthentication. */
  readonly claimHeaders: ReadonlyMap<string, string>;
  readonly routingCookies: readonly string[];
  readonly tokenCookie?: string;
}

function gatewayOf(cluster: (typeof fleet.inventory)[number]): ClusterGateway {
  const documents = fleet.platform.find((p) => p.cluster === cluster.name)!.documents as (Manifest & { spec: any })[];
  const envoyFilter = documents.find((d) => d.kind === 'EnvoyFilter')!;
  const requestAuthentication = documents.find((d) => d.kind === 'RequestAuthentication')!;
  const code = (name: string) => {
    const values = envoyFilter.spec.configPatches.map((p: any) => p.patch.value).filter((v: any) => v.name === name);
    assert.equal(values.length, 1, `one ${name} filter in ${cluster.name}`);
    return values[0].typed_config.default_source_code.inline_string as string;
  };
  const [rule] = requestAuthentication.spec.jwtRules;
  return {
    cluster: cluster.name,
    scripts: { strip: code(STRIP_FILTER), derive: code(DERIVE_FILTER) },
    org: cluster.routing.orgHeader,
    user: cluster.routing.userHeader,
    bucket: cluster.routing.bucketHeader,
    claimHeaders: new Map(rule.outputClaimToHeaders.map((o: { claim: string; header: string }) => [o.claim, o.header])),
    routingCookies: [cluster.routing.orgCookie, cluster.routing.userCookie],
    tokenCookie: cluster.identity.tokenCookie,
  };
}

/** What jwt_authn appends for a verified token with these claims (per the rendered RequestAuthentication). */
function verifiedToken(gateway: ClusterGateway, claims: Record<string, string>): HeaderList {
  return [...gateway.claimHeaders].filter(([claim]) => claims[claim] !== undefined && claims[claim] !== '').map(([claim, header]) => [header, claims[claim]] as const);
}

/** Deterministic ids: ASCII, Latin-1, CJK, emoji, combining marks; lengths 1–64. */
function generatedIds(count: number, seed: number): string[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const alphabet = [...'abcdefghijklmnopqrstuvwxyz0123456789-_.', 'ä', 'ö', 'å', 'é', 'ß', 'Ω', '日', '本', 'ケ', 'ア', '🏥', '\u0301', ' '];
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 64) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
}

const NAMED_IDS = [
  'oak-lodge', 'birch-house', 'st-marys-care', 'org-1', 'ORG-1', '0', '00', '05', '99', '100', '-1', 'null', 'undefined',
  'a', 'foobar', ' padded ', 'tab\there', 'comma,separated', 'semi;colon', 'quote"d', 'back\\slash', '=equals=',
  'Kräuterhof', 'sjukhem-åland', 'Ωmega', '日本ケア', 'care 🏥 home', 'e\u0301', '\u00e9', '4d6a8f0e-2c1b-4e7a-9f3d-5b8c2a1e7d40',
  'x'.repeat(10_000), 'ü'.repeat(3_000), '🏥'.repeat(1_000),
];

describe('identity at the ingress gateway, run under LuaJIT', () => {
  before(() => {
    luajitVersion();
  });

  it('renders one EnvoyFilter with both filters and one RequestAuthentication per cluster', () => {
    assert.ok(fleet.inventory.length > 0);
    for (const cluster of fleet.inventory) gatewayOf(cluster);
  });

  for (const cluster of fleet.inventory) {
    describe(`cluster ${cluster.name}`, () => {
      const gateway = gatewayOf(cluster);
      const orgClaim = cluster.identity.orgClaim;
      const userClaim = cluster.identity.userClaim;
      const run = (requests: readonly GatewayRequest[]) => {
        const results = runGateway(gateway.scripts, requests);
        for (const r of results) assert.deepEqual(r.logs, [], 'no Lua error');
        return results;
      };

      it('computes the bucket exactly as organizationBucket() does, for every test vector, as canonical decimal 0–99', () => {
        const ids = [...NAMED_IDS, ...generatedIds(2_000, 0x5eed)];
        const results = run(ids.map((id) => ({ headers: [], verified: verifiedToken(gateway, { [orgClaim]: id }) })));
        const seen = new Set<string>();
        results.forEach((result, i) => {
          const id = ids[i];
          assert.deepEqual(valuesOf(result, gateway.org), [id], `organization ${JSON.stringify(id.slice(0, 40))}`);
          assert.deepEqual(valuesOf(result, gateway.bucket), [String(organizationBucket(id))], `bucket of ${JSON.stringify(id.slice(0, 40))}`);
          assert.match(valuesOf(result, gateway.bucket)[0], /^(0|[1-9][0-9]?)$/);
          seen.add(valuesOf(result, gateway.bucket)[0]);
        });
        assert.equal(seen.size, 100, 'every bucket 0–99 occurs');
      });

      it('replaces a spoofed organization, user and bucket with the verified ones', () => {
        const [result] = run([
          {
            headers: [[gateway.org, 'victim-org'], [gateway.user, 'victim'], [gateway.bucket, '0'], [gateway.bucket.toUpperCase(), '05'], ['x-other', 'kept']],
            verified: verifiedToken(gateway, { [orgClaim]: 'oak-lodge', [userClaim]: 'u-17' }),
          },
        ]);
        assert.deepEqual(valuesOf(result, gateway.org), ['oak-lodge']);
        assert.deepEqual(valuesOf(result, gateway.user), ['u-17']);
        assert.deepEqual(valuesOf(result, gateway.bucket), [String(organizationBucket('oak-lodge'))]);
        assert.deepEqual(valuesOf(result, 'x-other'), ['kept']);
        assert.ok(result.modified, 'headers changed, so Envoy recomputes the route');
      });

      it('gives a request without a token no organization, no user and no bucket, whatever it sends', () => {
        const [result] = run([
          {
            headers: [[gateway.org, 'oak-lodge'], [gateway.user.toUpperCase(), 'u-17'], [gateway.bucket, '0'], ['cookie', gateway.routingCookies.map((c) => `${c}=oak-lodge`).join('; ')]],
          },
        ]);
        assert.deepEqual(valuesOf(result, gateway.org), []);
        assert.deepEqual(valuesOf(result, gateway.user), []);
        assert.deepEqual(valuesOf(result, gateway.bucket), []);
        assert.deepEqual(valuesOf(result, 'cookie'), [], 'only routing cookies were sent: the Cookie header is gone');
      });

      it('gives a token without an organization claim a user but no organization and no bucket', () => {
        const [result] = run([{ headers: [[gateway.bucket, '3']], verified: verifiedToken(gateway, { [userClaim]: 'u-17' }) }]);
        assert.deepEqual(valuesOf(result, gateway.org), []);
        assert.deepEqual(valuesOf(result, gateway.user), ['u-17']);
        assert.deepEqual(valuesOf(result, gateway.bucket), []);
      });

      it('removes routing cookies from every Cookie header and keeps every other cookie, the token cookie included', () => {
        const [orgCookie, userCookie] = gateway.routingCookies;
        const token = gateway.tokenCookie ?? 'session';
        const [result] = run([
          {
            headers: [
              ['cookie', `${orgCookie}=victim; theme=dark;${userCookie}=x`],
              ['cookie', `${token}=eyJ.token; ${orgCookie}_pref=1; ${orgCookie}=again`],
            ],
          },
        ]);
        assert.deepEqual(valuesOf(result, 'cookie'), ['theme=dark', `${token}=eyJ.token; ${orgCookie}_pref=1`]);
      });

      it('leaves the Cookie header untouched when it holds no routing cookie', () => {
        const [result] = run([{ headers: [['cookie', 'a=1;b=2']] }]);
        assert.deepEqual(valuesOf(result, 'cookie'), ['a=1;b=2']);
      });

      it('identifies nobody when two verified tokens name different organizations, and one organization when they agree', () => {
        const [different, same] = run([
          { headers: [], verified: [...verifiedToken(gateway, { [orgClaim]: 'oak-lodge' }), ...verifiedToken(gateway, { [orgClaim]: 'birch-house' })] },
          { headers: [], verified: [...verifiedToken(gateway, { [orgClaim]: 'oak-lodge' }), ...verifiedToken(gateway, { [orgClaim]: 'oak-lodge' })] },
        ]);
        assert.deepEqual(valuesOf(different, gateway.org), []);
        assert.deepEqual(valuesOf(different, gateway.bucket), []);
        assert.deepEqual(valuesOf(same, gateway.org), ['oak-lodge']);
        assert.deepEqual(valuesOf(same, gateway.bucket), [String(organizationBucket('oak-lodge'))]);
      });

      it('treats an empty organization value as no organization', () => {
        const [result] = run([{ headers: [], verified: [[gateway.org, '']], stages: ['derive'] }]);
        assert.deepEqual(valuesOf(result, gateway.org), []);
        assert.deepEqual(valuesOf(result, gateway.bucket), []);
      });

      it('fails to "no identity", with an error in the log, when the script breaks (an Envoy without getNumValues)', () => {
        const [result] = runGateway(gateway.scripts, [
          {
            headers: [[gateway.org, 'victim-org'], [gateway.bucket, '0'], ['cookie', 'theme=dark']],
            verified: verifiedToken(gateway, { [orgClaim]: 'oak-lodge' }),
            missingMethods: ['getNumValues'],
          },
        ]);
        assert.deepEqual(valuesOf(result, gateway.org), []);
        assert.deepEqual(valuesOf(result, gateway.bucket), []);
        assert.equal(result.logs.length, 2, result.logs.join('\n'));
        assert.match(result.logs[0], /^Err: fleetchart identity strip: /);
        assert.match(result.logs[1], /^Err: fleetchart identity derive: /);
      });

      it('fails safe when the strip filter did not run: a spoofed organization next to a verified one identifies nobody', () => {
        const [result] = run([{ headers: [[gateway.org, 'victim-org']], verified: verifiedToken(gateway, { [orgClaim]: 'oak-lodge' }), stages: ['derive'] }]);
        assert.deepEqual(valuesOf(result, gateway.org), []);
        assert.deepEqual(valuesOf(result, gateway.bucket), []);
      });
    });
  }
});
