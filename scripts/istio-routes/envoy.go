package main

// Envoy's request matching, as documented in the v3 API (envoy/config/route/v3/route.proto and
// route_components.proto) and implemented in source/common/router/config_impl.cc and
// source/common/http/header_utility.cc:
//   https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/route/v3/route_components.proto
// Only the matchers istiod emits for VirtualServices are evaluated; any other matcher makes the
// route fail loudly (unsupportedMatcher) rather than be guessed.

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
)

type envoyRequest struct {
	host    string
	path    string // :path, may carry ?query
	method  string
	headers map[string]string // lower-case names; one value each (Envoy joins repeats with ",")
}

func (r envoyRequest) header(name string) (string, bool) {
	name = strings.ToLower(name)
	switch name {
	case ":path":
		return r.path, true
	case ":authority", "host":
		return r.host, true
	case ":method":
		if r.method == "" {
			return "GET", true
		}
		return r.method, true
	case ":scheme":
		return "http", true
	}
	for k, v := range r.headers {
		if strings.ToLower(k) == name {
			return v, true
		}
	}
	return "", false
}

// selectVirtualHost: VirtualHost.domains search order (route_components.proto, "domains"):
// exact names first, then suffix wildcards (*.foo.com, longest first), then prefix wildcards
// (foo.*, longest first), then "*". Host comparison is case-insensitive.
func selectVirtualHost(rc *route.RouteConfiguration, hostHeader string, _ int) *route.VirtualHost {
	h := strings.ToLower(hostHeader)
	var best *route.VirtualHost
	bestRank, bestLen := 5, -1
	for _, vh := range rc.VirtualHosts {
		for _, d := range vh.Domains {
			d = strings.ToLower(d)
			rank, length := 5, len(d)
			switch {
			case d == h:
				rank = 1
			case d == "*":
				rank = 4
			case strings.HasPrefix(d, "*") && strings.HasSuffix(h, d[1:]) && len(h) > len(d)-1:
				rank = 2
			case strings.HasSuffix(d, "*") && strings.HasPrefix(h, d[:len(d)-1]) && len(h) > len(d)-1:
				rank = 3
			}
			if rank < bestRank || (rank == bestRank && length > bestLen) {
				best, bestRank, bestLen = vh, rank, length
			}
		}
	}
	if bestRank == 5 {
		return nil
	}
	return best
}

// firstMatchingRoute: "the first route that matches will be used" (VirtualHost.routes).
func firstMatchingRoute(vh *route.VirtualHost, r envoyRequest) (int, *route.Route) {
	for i, rt := range vh.Routes {
		if routeMatches(rt.Match, r) {
			return i, rt
		}
	}
	return -1, nil
}

func unsupportedMatcher(what string) {
	fmt.Fprintf(os.Stderr, "istio-routes: route uses %s, which this evaluator does not implement\n", what)
	os.Exit(3)
}

// routeMatches: every condition of a RouteMatch must hold (RouteMatch, route_components.proto).
func routeMatches(m *route.RouteMatch, r envoyRequest) bool {
	if m.GetRuntimeFraction() != nil {
		unsupportedMatcher("runtime_fraction")
	}
	if len(m.GetDynamicMetadata()) > 0 {
		unsupportedMatcher("dynamic_metadata (JWT claim routing)")
	}
	if m.GetGrpc() != nil || m.GetTlsContext() != nil || m.GetFilterState() != nil {
		unsupportedMatcher("grpc/tls_context/filter_state matching")
	}
	caseSensitive := m.GetCaseSensitive() == nil || m.GetCaseSensitive().GetValue() // default true
	if !pathMatches(m, r.path, caseSensitive) {
		return false
	}
	for _, hm := range m.GetHeaders() {
		if !headerMatches(hm, r) {
			return false
		}
	}
	for _, qm := range m.GetQueryParameters() {
		if !queryMatches(qm, r.path) {
			return false
		}
	}
	return true
}

func stripQuery(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		return p[:i]
	}
	return p
}

// pathMatches: prefix "must match the beginning of the :path header" (a plain string prefix:
// /api/notes matches /api/notes-admin); path "must exactly match the :path header once the query
// string is removed"; safe_regex "the entire path (without the query string) must match";
// path_separated_prefix "must either exactly match ... or have it as a prefix, followed by /".
// case_sensitive=false compares prefix/path case-insensitively (regex is unaffected).
func pathMatches(m *route.RouteMatch, path string, caseSensitive bool) bool {
	fold := func(s string) string {
		if caseSensitive {
			return s
		}
		return strings.ToLower(s)
	}
	switch ps := m.PathSpecifier.(type) {
	case *route.RouteMatch_Prefix:
		return strings.HasPrefix(fold(path), fold(ps.Prefix))
	case *route.RouteMatch_Path:
		return fold(stripQuery(path)) == fold(ps.Path)
	case *route.RouteMatch_SafeRegex:
		return fullMatch(ps.SafeRegex.GetRegex(), stripQuery(path))
	case *route.RouteMatch_PathSeparatedPrefix:
		p, want := fold(stripQuery(path)), fold(ps.PathSeparatedPrefix)
		return p == want || strings.HasPrefix(p, want+"/")
	case nil:
		return false
	default:
		unsupportedMatcher(fmt.Sprintf("path specifier %T", ps))
	}
	return false
}

var regexCache = map[string]*regexp.Regexp{}

// fullMatch: RegexMatcher with the RE2 engine matches the whole value (Envoy's
// Regex::CompiledGoogleReMatcher::match uses RE2::FullMatch). Go's regexp implements RE2 syntax.
func fullMatch(re, value string) bool {
	c, ok := regexCache[re]
	if !ok {
		var err error
		c, err = regexp.Compile(`^(?:` + re + `)$`)
		if err != nil {
			fmt.Fprintf(os.Stderr, "istio-routes: regex %q does not compile: %v\n", re, err)
			os.Exit(3)
		}
		regexCache[re] = c
	}
	return c.MatchString(value)
}

// stringMatches: StringMatcher (envoy/type/matcher/v3/string.proto); ignore_case applies to
// exact/prefix/suffix/contains, not to safe_regex.
func stringMatches(sm *matcher.StringMatcher, value string) bool {
	fold := func(s string) string {
		if sm.GetIgnoreCase() {
			return strings.ToLower(s)
		}
		return s
	}
	switch p := sm.MatchPattern.(type) {
	case *matcher.StringMatcher_Exact:
		return fold(value) == fold(p.Exact)
	case *matcher.StringMatcher_Prefix:
		return strings.HasPrefix(fold(value), fold(p.Prefix))
	case *matcher.StringMatcher_Suffix:
		return strings.HasSuffix(fold(value), fold(p.Suffix))
	case *matcher.StringMatcher_Contains:
		return strings.Contains(fold(value), fold(p.Contains))
	case *matcher.StringMatcher_SafeRegex:
		return fullMatch(p.SafeRegex.GetRegex(), value)
	default:
		unsupportedMatcher(fmt.Sprintf("string matcher %T", p))
	}
	return false
}

// headerMatches: HeaderMatcher (route_components.proto):
//   - present_match: true matches when the header is present, false when it is absent; then
//     invert_match inverts.
//   - any other specifier on a missing header: no match, whatever invert_match says, unless
//     treat_missing_header_as_empty, in which case the value is "" and evaluation goes on
//     ("if the header match rule specified header does not exist, this header value will be
//     treated as empty").
//   - invert_match: "the match result will be inverted before checking".
func headerMatches(hm *route.HeaderMatcher, r envoyRequest) bool {
	value, present := r.header(hm.GetName())
	if spec, ok := hm.HeaderMatchSpecifier.(*route.HeaderMatcher_PresentMatch); ok {
		return (present == spec.PresentMatch) != hm.GetInvertMatch()
	}
	if !present {
		if !hm.GetTreatMissingHeaderAsEmpty() {
			return false
		}
		value = ""
	}
	var match bool
	switch spec := hm.HeaderMatchSpecifier.(type) {
	case *route.HeaderMatcher_StringMatch:
		match = stringMatches(spec.StringMatch, value)
	case *route.HeaderMatcher_ExactMatch:
		match = value == spec.ExactMatch
	case *route.HeaderMatcher_SafeRegexMatch:
		match = fullMatch(spec.SafeRegexMatch.GetRegex(), value)
	case *route.HeaderMatcher_PrefixMatch:
		match = strings.HasPrefix(value, spec.PrefixMatch)
	case *route.HeaderMatcher_SuffixMatch:
		match = strings.HasSuffix(value, spec.SuffixMatch)
	case *route.HeaderMatcher_ContainsMatch:
		match = strings.Contains(value, spec.ContainsMatch)
	case nil:
		match = true // no specifier: presence only
	default:
		unsupportedMatcher(fmt.Sprintf("header matcher %T", spec))
	}
	return match != hm.GetInvertMatch()
}

// queryMatches: QueryParameterMatcher: present_match or string_match on the decoded value.
func queryMatches(qm *route.QueryParameterMatcher, path string) bool {
	i := strings.IndexByte(path, '?')
	found, value := false, ""
	if i >= 0 {
		for _, kv := range strings.Split(path[i+1:], "&") {
			k, v, _ := strings.Cut(kv, "=")
			if k == qm.GetName() {
				found, value = true, v
				break
			}
		}
	}
	switch s := qm.QueryParameterMatchSpecifier.(type) {
	case *route.QueryParameterMatcher_PresentMatch:
		return found == s.PresentMatch
	case *route.QueryParameterMatcher_StringMatch:
		return found && stringMatches(s.StringMatch, value)
	}
	return found
}
