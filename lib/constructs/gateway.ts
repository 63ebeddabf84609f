import { Construct } from 'constructs';
import type { Cluster } from '../clusters/schema';
import { identityScript } from '../gateway/script';
import { DEFAULT_INGRESS_POD_LABEL } from '../values/defaults';
import { LABEL, MANAGED_BY } from '../values/labels';
import {
  EnvoyFilterSpecConfigPatchesApplyTo,
  EnvoyFilterSpecConfigPatchesMatchContext,
  EnvoyFilterSpecConfigPatchesPatchOperation,
  Istio,
} from './istio';
import { Manifest } from './manifest';
import { LIBRARY_VERSION } from '../version';

/** Name of the platform objects on the ingress gateway (RequestAuthentication and EnvoyFilter). */
export const GATEWAY_IDENTITY_NAME = 'fleetchart-gateway-identity';
/** Names of the two Lua filters in the gateway's HTTP filter chain. */
export const STRIP_FILTER = 'fleetchart.identity.strip';
export const DERIVE_FILTER = 'fleetchart.identity.derive';

const LUA_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua';
const HCM = 'envoy.filters.network.http_connection_manager';
const ROUTER = 'envoy.filters.http.router';

/** Where the ingress gateway pods run and how they are selected. */
export function ingressPods(cluster: Cluster): { namespace: string; labels: Record<string, string> } {
  const [namespace, name] = cluster.ingress.serviceAccount.split('/');
  return { namespace, labels: cluster.ingress.podLabels ?? { [DEFAULT_INGRESS_POD_LABEL]: name } };
}

/**
 * Identity at the ingress gateway: who is calling comes from a verified token, never from what
 * the client sends (README "Identity at the gateway"). The HTTP filter chain of the gateway
 * becomes:
 *
 *   strip (Lua, first) → … → jwt_authn (Istio, from the RequestAuthentication) → … → derive (Lua) → router
 *
 * - strip removes client-sent organization, user and bucket headers and the routing cookies.
 *   It must run before jwt_authn: jwt_authn *appends* claims to the headers
 *   (envoy source/extensions/filters/http/jwt_authn/authenticator.cc, addJWTClaimToHeader uses
 *   headers_->addCopy), so a spoofed value left in place would sit next to the verified one.
 *   INSERT_FIRST puts it at the head of the chain whatever Istio generates
 *   (istio pilot/pkg/networking/core/envoyfilter/listener_patch.go, applyHttpFilterPatch).
 * - jwt_authn verifies the token (Authorization header, or the token cookie) and copies the
 *   organization and user claims into their headers (outputClaimToHeaders). Istio requires
 *   "provider OR allow_missing": no token passes without identity, a bad token gets 401
 *   (istio pilot/pkg/security/authn/policy_applier.go, convertToEnvoyJwtConfig).
 * - derive, just before the router, keeps one organization and one user value and writes the
 *   bucket (lib/gateway/bucket.ts). Changing headers from Lua clears the route cache, so the
 *   router matches the VirtualServices against these headers.
 *
 * `priority: 10` (not 0) orders this patch set after default ones, so derive stays the last
 * filter before the router, and keeps Istio's analyzer quiet about the relative INSERT_BEFORE
 * (IST0151, pkg/config/analysis/analyzers/envoyfilter/envoyfilter.go).
 */
export class GatewayIdentity extends Construct {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id);
    const { namespace, labels: podLabels } = ingressPods(cluster);
    const { routing, identity } = cluster;
    const metadata = {
      name: GATEWAY_IDENTITY_NAME,
      namespace,
      // Rendered by the library itself: its version is this object's version (a label change only, never a pod restart).
      labels: {
        [LABEL.name]: 'gateway-identity',
        [LABEL.instance]: GATEWAY_IDENTITY_NAME,
        [LABEL.component]: 'ingress-gateway',
        [LABEL.version]: LIBRARY_VERSION,
        [LABEL.partOf]: 'fleetchart',
        [LABEL.managedBy]: MANAGED_BY,
      },
    };

    new Manifest(this, 'request-authentication', Istio.RequestAuthentication, {
      metadata,
      spec: {
        selector: { matchLabels: podLabels },
        jwtRules: [
          {
            issuer: identity.issuer,
            jwksUri: identity.jwksUri,
            audiences: identity.audiences ? [...identity.audiences] : undefined,
            // Explicit: with fromCookies set, Envoy would no longer read the default Authorization header.
            fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }],
            fromCookies: identity.tokenCookie ? [identity.tokenCookie] : undefined,
            outputClaimToHeaders: [
              { header: routing.orgHeader, claim: identity.orgClaim },
              { header: routing.userHeader, claim: identity.userClaim },
            ],
            // Services still authorize every request with the token; the gateway only derives routing.
            forwardOriginalToken: true,
          },
        ],
      },
    });

    const scriptConfig = {
      orgHeader: routing.orgHeader,
      userHeader: routing.userHeader,
      bucketHeader: routing.bucketHeader,
      routingCookies: [routing.orgCookie, routing.userCookie],
    };
    const luaFilter = (name: string, stage: 'strip' | 'derive') => ({
      name,
      typed_config: { '@type': LUA_TYPE, default_source_code: { inline_string: identityScript(stage, scriptConfig) } },
    });
    new Manifest(this, 'envoy-filter', Istio.EnvoyFilter, {
      metadata,
      spec: {
        workloadSelector: { labels: podLabels },
        priority: 10,
        configPatches: [
          {
            applyTo: EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
            match: { context: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY, listener: { filterChain: { filter: { name: HCM } } } },
            patch: { operation: EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_FIRST, value: luaFilter(STRIP_FILTER, 'strip') },
          },
          {
            applyTo: EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
            match: { context: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY, listener: { filterChain: { filter: { name: HCM, subFilter: { name: ROUTER } } } } },
            patch: { operation: EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_BEFORE, value: luaFilter(DERIVE_FILTER, 'derive') },
          },
        ],
      },
    });
  }
}
