import type { ResolvedService } from '../../lib/values/model';
import type { Requester } from '../../lib/values/release';
import type { HttpRequest } from './envoy-routing';

/**
 * The requests every rendered service is checked with, as data: who asks (organization, bucket
 * as the header carries it, user) and the headers the mesh sees. Cookies ride along unchanged:
 * the ingress gateway turns them into headers before routing, so no VirtualService may read
 * them. The expected version of each is `routeVersions(service, who)` (lib/values/release.ts).
 */
export interface GridRequest {
  readonly who: Requester;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Buckets as headers may carry them: every canonical 0–99, leading zeros, and values that are not
 * buckets (never with surrounding spaces: HTTP parsers strip them before routing).
 */
export const BUCKET_VALUES: readonly (string | undefined)[] = [undefined, ...Array.from({ length: 100 }, (_, i) => String(i)), '00', '05', '007', '014', '015', '099', '100', '0100', '-1', '+5', '1e1', 'x'];

export function requestGrid(service: ResolvedService): GridRequest[] {
  const routing = service.cluster.routing;
  const release = service.traffic.release;
  const orgs: (string | undefined)[] = [undefined, 'unpinned-org', ...Object.keys(release.orgPins)];
  const users: (string | undefined)[] = [undefined, 'someone@example.org', ...Object.keys(release.userPins)];
  const out: GridRequest[] = [];
  for (const org of orgs) {
    for (const user of users) {
      for (const bucket of BUCKET_VALUES) {
        const headers: Record<string, string> = {};
        if (org !== undefined) headers[routing.orgHeader] = org;
        if (user !== undefined) headers[routing.userHeader] = user;
        if (bucket !== undefined) headers[routing.bucketHeader] = bucket;
        // A browser's cookies, possibly naming another organization: never read by a route.
        headers.cookie = `${routing.orgCookie}=${org === undefined ? 'st-marys' : 'other-org'}; ${routing.userCookie}=cookie.user`;
        out.push({ who: { org, user, bucket }, headers });
      }
    }
  }
  return out;
}

/** The request on one entry point: an external route's path (and one below it) or the mesh. */
export function requestsOn(path: string | undefined, request: GridRequest): HttpRequest[] {
  if (path === undefined) return [{ path: '/any/path', headers: request.headers }];
  const base = path.length > 1 ? path.replace(/\/+$/, '') : '';
  return [{ path: base || '/', headers: request.headers }, { path: `${base}/deeper/item`, headers: request.headers }];
}
