/**
 * Envoy's route selection for the VirtualService fields fleetchart renders, as Istio translates
 * them (istio/istio pilot/pkg/networking/core/route/route.go: TranslateRouteMatch,
 * translateHeaderMatch): the first HTTP route with a matching entry wins; entries of one `match`
 * list are alternatives, the conditions inside one entry all hold. URI `prefix` is Envoy's
 * plain character prefix and `exact` a whole-path comparison; header `exact`/`prefix` compare
 * strings and `regex` is an RE2 full match (config.route.v3.HeaderMatcher); a header matcher never
 * matches a missing header, except an inverted one (`withoutHeaders`), which since Istio 1.22
 * sets treat_missing_header_as_empty. An entry with `port` holds only on that listener port: istiod
 * leaves a route whose port match is another port out of that port's route table (route.go,
 * translateRoute). Routes and headers are data, so the Go tier that runs
 * Istio's own translation (istio-proof) can check the same requests.
 */

export interface HttpRequest {
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Service port a mesh call goes to; ingress requests carry none. */
  readonly port?: number;
}

export interface RouteHit {
  /** The `name` of the HTTP route that matched, and its index. */
  readonly name?: string;
  readonly index: number;
  readonly destinations: readonly { host: string; subset?: string; port?: number; weight: number }[];
}

type StringMatch = { exact?: string; prefix?: string; regex?: string };
type MatchEntry = { port?: number; uri?: StringMatch; headers?: Record<string, StringMatch>; withoutHeaders?: Record<string, StringMatch> };

const REGEXES = new Map<string, RegExp>();

function stringMatches(m: StringMatch, value: string): boolean {
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  if (m.regex !== undefined) {
    let regex = REGEXES.get(m.regex);
    if (!regex) REGEXES.set(m.regex, (regex = new RegExp(`^(?:${m.regex})$`)));
    return regex.test(value);
  }
  return true;
}

function entryMatches(entry: MatchEntry, request: HttpRequest): boolean {
  if (entry.port !== undefined && entry.port !== request.port) return false;
  if (entry.uri && !stringMatches(entry.uri, request.path)) return false;
  for (const [name, m] of Object.entries(entry.headers ?? {})) {
    const value = request.headers[name];
    if (value === undefined || !stringMatches(m, value)) return false;
  }
  for (const [name, m] of Object.entries(entry.withoutHeaders ?? {})) {
    if (stringMatches(m, request.headers[name] ?? '')) return false;
  }
  return true;
}

/** The HTTP route of a VirtualService that Envoy would pick for the request, or undefined. */
export function routeRequest(virtualService: any, request: HttpRequest): RouteHit | undefined {
  const http: any[] = virtualService.spec?.http ?? [];
  for (let index = 0; index < http.length; index++) {
    const route = http[index];
    const entries: MatchEntry[] | undefined = route.match;
    if (entries && entries.length && !entries.some((e) => entryMatches(e, request))) continue;
    const destinations = (route.route ?? []).map((r: any) => ({ host: r.destination.host, subset: r.destination.subset, port: r.destination.port?.number, weight: r.weight ?? (route.route.length === 1 ? 100 : 0) }));
    return { name: route.name, index, destinations };
  }
  return undefined;
}

/** Whether any entry of any HTTP route of the VirtualService could match this path (any headers). */
export function claimsPath(virtualService: any, path: string): boolean {
  return (virtualService.spec?.http ?? []).some((route: any) => !route.match || route.match.some((e: MatchEntry) => !e.uri || stringMatches(e.uri, path)));
}
