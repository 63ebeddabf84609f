package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/encoding/protojson"
	corev1 "k8s.io/api/core/v1"
	klabels "k8s.io/apimachinery/pkg/labels"

	networking "istio.io/api/networking/v1alpha3"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/core"
	kubereg "istio.io/istio/pilot/pkg/serviceregistry/kube"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/constants"
	"istio.io/istio/pkg/config/host"
	"istio.io/istio/pkg/config/schema/gvk"
)

// Request is one request of the grid, as the tests write it.
type Request struct {
	ID string `json:"id"`
	// View is "ingress" (the ingress gateway Envoy) or "mesh" (a sidecar Envoy calling the service).
	View    string            `json:"view"`
	Host    string            `json:"host"`
	Port    int               `json:"port,omitempty"` // mesh: the Service port called; ingress: ignored (80)
	Path    string            `json:"path"`
	Method  string            `json:"method,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
}

// Destination is one cluster of the matched route, with the subset resolved to pod labels.
type Destination struct {
	Cluster string            `json:"cluster"`
	Host    string            `json:"host"`
	Subset  string            `json:"subset"`
	Port    int               `json:"port"`
	Weight  uint32            `json:"weight"`
	Labels  map[string]string `json:"labels,omitempty"` // Service selector + subset labels = the pods it reaches
	// Deployments whose pod template carries all those labels (namespace/name).
	Deployments []string `json:"deployments"`
	// ClusterBuilt: istiod generated this Envoy cluster (a subset missing from every DestinationRule
	// is not generated, and Envoy answers 503 NC).
	ClusterBuilt bool `json:"clusterBuilt"`
}

// Result is where Envoy sends one request.
type Result struct {
	ID          string        `json:"id"`
	View        string        `json:"view"`
	RouteConfig string        `json:"routeConfig,omitempty"`
	VirtualHost string        `json:"virtualHost,omitempty"`
	Matched     bool          `json:"matched"`
	Route       string        `json:"route,omitempty"`          // Envoy route name (the VirtualService http[].name)
	VirtualSvc  string        `json:"virtualService,omitempty"` // namespace/name from the route's metadata
	RouteIndex  int           `json:"routeIndex"`
	Action      string        `json:"action,omitempty"` // route | redirect | direct_response
	Clusters    []Destination `json:"clusters,omitempty"`
	// Shadowed: earlier routes of the same virtual host that would also match if this one did not exist
	// is not computed; Note explains a no-match (no virtual host, no route).
	Note string `json:"note,omitempty"`
}

// Output of "routes".
type RoutesOutput struct {
	IstioModule string              `json:"istio"`
	Validation  []validationFinding `json:"validation"`
	Gateways    []gatewayInfo       `json:"gateways"`
	Results     []Result            `json:"results"`
	// Subsets: every subset of every DestinationRule, with the pods it selects.
	Subsets []subsetInfo `json:"subsets"`
}

type gatewayInfo struct {
	Name        string `json:"name"` // namespace/name as VirtualServices reference it
	Synthesized bool   `json:"synthesized"`
}

type subsetInfo struct {
	DestinationRule string            `json:"destinationRule"`
	Host            string            `json:"host"`
	Subset          string            `json:"subset"`
	Labels          map[string]string `json:"labels"`
	Deployments     []string          `json:"deployments"`
}

// failer satisfies istio.io/istio/pkg/test.Failer, which istiod's config-generator harness
// (pilot/pkg/networking/core/fake.go, NewConfigGenTest) takes; any failure ends the command.
type failer struct{ cleanups []func() }

func (f *failer) Fail()                     { f.FailNow() }
func (f *failer) FailNow()                  { fmt.Fprintln(os.Stderr, "istio config generator failed"); os.Exit(1) }
func (f *failer) Fatal(args ...any)         { fmt.Fprintln(os.Stderr, args...); os.Exit(1) }
func (f *failer) Fatalf(s string, a ...any) { fmt.Fprintf(os.Stderr, s+"\n", a...); os.Exit(1) }
func (f *failer) Log(args ...any)           {}
func (f *failer) Logf(string, ...any)       {}
func (f *failer) TempDir() string           { d, _ := os.MkdirTemp("", "istio-routes"); return d }
func (f *failer) Helper()                   {}
func (f *failer) Cleanup(fn func())         { f.cleanups = append(f.cleanups, fn) }
func (f *failer) Skip(args ...any)          { f.Fatal(append([]any{"skip:"}, args...)...) }

// env is istiod's config generator loaded with one cluster's output.
type env struct {
	c        *cluster
	cg       *core.ConfigGenTest
	gateways []gatewayInfo
	// routeConfigs[view][routeConfigName]
	ingress map[string]*route.RouteConfiguration
	mesh    map[string]*route.RouteConfiguration
	built   map[string]bool // Envoy cluster names istiod generated (ingress and sidecar)
}

const (
	gatewayLabel   = "fleetchart.dev/probe-gateway"
	meshClientNs   = "fleetchart-probe-client"
	gatewayPort    = 80
	gatewayPodNs   = "fleetchart-probe-gateway"
	domainSuffix   = constants.DefaultClusterLocalDomain
	fakeClusterIPs = "240.240.%d.%d" // reserved range, never routable
)

func newEnv(c *cluster, reverseCreation bool) (*env, error) {
	configs := append([]config.Config(nil), c.istio...)
	// Gateways the VirtualServices name but the output does not hold (the platform owns them):
	// one HTTP server on port 80 for every host bound to it, selecting its own probe gateway pod.
	gws, synthesized := referencedGateways(c)
	var infos []gatewayInfo
	for _, name := range gws {
		infos = append(infos, gatewayInfo{Name: name, Synthesized: synthesized[name] != nil})
		if cfg := synthesized[name]; cfg != nil {
			configs = append(configs, *cfg)
		}
	}
	// istiod orders VirtualServices bound to the same host by creation time, then by name
	// (pilot/pkg/model/virtualservice_controller.go, sortMergedVirtualServicesByCreationTime); a chart cannot know the order
	// objects get created in, so callers ask for both: oldest-first in name order, or reversed.
	sort.SliceStable(configs, func(i, j int) bool {
		return configs[i].Namespace+"/"+configs[i].Name < configs[j].Namespace+"/"+configs[j].Name
	})
	now := time.Unix(1_700_000_000, 0)
	for i := range configs {
		offset := i
		if reverseCreation {
			offset = len(configs) - i
		}
		configs[i].CreationTimestamp = now.Add(time.Duration(offset) * time.Second)
	}
	var services []*model.Service
	for i, svc := range c.services {
		s := svc.DeepCopy()
		if s.Spec.ClusterIP == "" {
			s.Spec.ClusterIP = fmt.Sprintf(fakeClusterIPs, i/250, i%250+1)
		}
		// Istio's own Service conversion (pilot/pkg/serviceregistry/kube/conversion.go): port
		// protocols come from appProtocol / port names exactly as istiod derives them.
		ms := kubereg.ConvertService(*s, nil, domainSuffix, "Kubernetes", "cluster.local")
		ms.CreationTime = now
		services = append(services, ms)
	}
	f := &failer{}
	cg := core.NewConfigGenTest(f, core.TestOptions{Configs: configs, Services: services})
	e := &env{c: c, cg: cg, gateways: infos, ingress: map[string]*route.RouteConfiguration{},
		mesh: map[string]*route.RouteConfiguration{}, built: map[string]bool{}}

	for _, gw := range gws {
		gwCfg := findGateway(configs, gw)
		if gwCfg == nil {
			continue
		}
		spec := gwCfg.Spec.(*networking.Gateway)
		p := cg.SetupProxy(&model.Proxy{
			Type:            model.Router,
			ConfigNamespace: gwCfg.Namespace,
			Labels:          spec.Selector,
			Metadata:        &model.NodeMetadata{Namespace: gwCfg.Namespace, Labels: spec.Selector},
			ID:              "gateway." + gwCfg.Namespace,
		})
		for _, rc := range cg.Routes(p) {
			e.ingress[gw+"|"+rc.Name] = rc
		}
		for _, cl := range cg.Clusters(p) {
			e.built[cl.Name] = true
		}
	}
	p := cg.SetupProxy(&model.Proxy{
		Type:            model.SidecarProxy,
		ConfigNamespace: meshClientNs,
		Metadata:        &model.NodeMetadata{Namespace: meshClientNs},
		ID:              "client." + meshClientNs,
	})
	for _, rc := range cg.Routes(p) {
		e.mesh[rc.Name] = rc
	}
	for _, cl := range cg.Clusters(p) {
		e.built[cl.Name] = true
	}
	return e, nil
}

// referencedGateways lists every gateway a VirtualService binds to (not "mesh"), and builds a
// stand-in for each one the output does not contain.
func referencedGateways(c *cluster) ([]string, map[string]*config.Config) {
	hosts := map[string][]string{}
	for _, cfg := range c.istio {
		if cfg.GroupVersionKind != gvk.VirtualService {
			continue
		}
		vs := cfg.Spec.(*networking.VirtualService)
		for _, g := range vs.Gateways {
			if g == constants.IstioMeshGateway {
				continue
			}
			name := g
			if !strings.Contains(g, "/") {
				name = cfg.Namespace + "/" + g
			}
			for _, h := range vs.Hosts {
				hosts[name] = append(hosts[name], cfg.Namespace+"/"+h)
			}
		}
	}
	var names []string
	out := map[string]*config.Config{}
	for name, hs := range hosts {
		names = append(names, name)
		if findGateway(c.istio, name) != nil {
			continue
		}
		ns, n, _ := strings.Cut(name, "/")
		sort.Strings(hs)
		out[name] = &config.Config{
			Meta: config.Meta{GroupVersionKind: gvk.Gateway, Namespace: ns, Name: n},
			Spec: &networking.Gateway{
				Selector: map[string]string{gatewayLabel: ns + "." + n},
				Servers: []*networking.Server{{
					Port:  &networking.Port{Number: gatewayPort, Protocol: "HTTP", Name: "http"},
					Hosts: dedupe(hs),
				}},
			},
		}
	}
	sort.Strings(names)
	return names, out
}

func findGateway(configs []config.Config, name string) *config.Config {
	for i := range configs {
		c := &configs[i]
		if c.GroupVersionKind == gvk.Gateway && c.Namespace+"/"+c.Name == name {
			return c
		}
	}
	return nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func readRequests(path string) ([]Request, error) {
	var r io.Reader = os.Stdin
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var reqs []Request
	if err := json.NewDecoder(r).Decode(&reqs); err != nil {
		return nil, fmt.Errorf("requests: %v", err)
	}
	return reqs, nil
}

func runRoutes(dir, requestsPath string, reverseCreation bool) (any, error) {
	reqs, err := readRequests(requestsPath)
	if err != nil {
		return nil, err
	}
	c, err := loadCluster(dir)
	if err != nil {
		return nil, err
	}
	e, err := newEnv(c, reverseCreation)
	if err != nil {
		return nil, err
	}
	out := RoutesOutput{IstioModule: istioVersion(), Validation: c.validation, Gateways: e.gateways,
		Subsets: e.subsets()}
	if out.Validation == nil {
		out.Validation = []validationFinding{}
	}
	for _, r := range reqs {
		out.Results = append(out.Results, e.evaluate(r))
	}
	return out, nil
}

func runDump(dir string, reverseCreation bool) (any, error) {
	c, err := loadCluster(dir)
	if err != nil {
		return nil, err
	}
	e, err := newEnv(c, reverseCreation)
	if err != nil {
		return nil, err
	}
	dump := map[string]any{}
	for _, view := range []struct {
		name string
		rcs  map[string]*route.RouteConfiguration
	}{{"ingress", e.ingress}, {"mesh", e.mesh}} {
		m := map[string]json.RawMessage{}
		for k, rc := range view.rcs {
			b, err := protojson.Marshal(rc)
			if err != nil {
				return nil, err
			}
			m[k] = b
		}
		dump[view.name] = m
	}
	return dump, nil
}

func (e *env) evaluate(r Request) Result {
	res := Result{ID: r.ID, View: r.View, RouteIndex: -1}
	var candidates []string
	var rcs map[string]*route.RouteConfiguration
	switch r.View {
	case "ingress":
		rcs = e.ingress
		for k := range rcs {
			candidates = append(candidates, k)
		}
	case "mesh":
		rcs = e.mesh
		candidates = []string{strconv.Itoa(r.Port)}
	default:
		res.Note = "unknown view " + r.View
		return res
	}
	sort.Strings(candidates)
	req := envoyRequest{host: r.Host, path: r.Path, method: r.Method, headers: r.Headers}
	for _, name := range candidates {
		rc := rcs[name]
		if rc == nil {
			continue
		}
		vh := selectVirtualHost(rc, req.host, r.Port)
		if vh == nil {
			continue
		}
		res.RouteConfig, res.VirtualHost = name, vh.Name
		idx, rt := firstMatchingRoute(vh, req)
		if rt == nil {
			res.Note = "no route of the virtual host matches"
			return res
		}
		res.Matched, res.RouteIndex, res.Route = true, idx, rt.Name
		res.VirtualSvc = routeVirtualService(rt)
		switch a := rt.Action.(type) {
		case *route.Route_Route:
			res.Action = "route"
			res.Clusters = e.destinations(a.Route)
		case *route.Route_Redirect:
			res.Action = "redirect"
		case *route.Route_DirectResponse:
			res.Action = "direct_response"
		default:
			res.Action = fmt.Sprintf("%T", a)
		}
		return res
	}
	res.Note = "no virtual host for this host"
	return res
}

// routeVirtualService reads the VirtualService istiod records in the route's metadata
// (filter_metadata["istio"]["config"] = /apis/networking.istio.io/v1/namespaces/<ns>/virtual-service/<name>).
func routeVirtualService(rt *route.Route) string {
	md := rt.GetMetadata().GetFilterMetadata()["istio"]
	if md == nil {
		return ""
	}
	v := md.GetFields()["config"].GetStringValue()
	parts := strings.Split(v, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-3] + "/" + parts[len(parts)-1]
	}
	return v
}

func (e *env) destinations(a *route.RouteAction) []Destination {
	var out []Destination
	switch s := a.ClusterSpecifier.(type) {
	case *route.RouteAction_Cluster:
		out = append(out, e.destination(s.Cluster, 100))
	case *route.RouteAction_WeightedClusters:
		for _, wc := range s.WeightedClusters.Clusters {
			out = append(out, e.destination(wc.Name, wc.GetWeight().GetValue()))
		}
	}
	return out
}

func (e *env) destination(clusterName string, weight uint32) Destination {
	_, subset, hostname, port := model.ParseSubsetKey(clusterName)
	d := Destination{Cluster: clusterName, Host: string(hostname), Subset: subset, Port: port, Weight: weight,
		ClusterBuilt: e.built[clusterName], Deployments: []string{}}
	if hostname == "" {
		return d // BlackHoleCluster, PassthroughCluster, ...
	}
	sel, ns := e.serviceSelector(string(hostname))
	labels := map[string]string{}
	for k, v := range sel {
		labels[k] = v
	}
	if subset != "" {
		for k, v := range e.subsetLabels(string(hostname), subset) {
			labels[k] = v
		}
	}
	d.Labels = labels
	d.Deployments = e.deploymentsMatching(ns, labels)
	return d
}

func (e *env) serviceSelector(hostname string) (map[string]string, string) {
	for _, s := range e.c.services {
		if string(kubereg.ServiceHostname(s.Name, s.Namespace, domainSuffix)) == hostname {
			return s.Spec.Selector, s.Namespace
		}
	}
	return nil, ""
}

// subsetLabels: the labels of subset on the DestinationRule istiod applies to hostname.
func (e *env) subsetLabels(hostname, subset string) map[string]string {
	for _, cfg := range e.c.istio {
		if cfg.GroupVersionKind != gvk.DestinationRule {
			continue
		}
		dr := cfg.Spec.(*networking.DestinationRule)
		if string(host.Name(dr.Host)) != hostname && !(host.Name(hostname).SubsetOf(host.Name(dr.Host))) {
			continue
		}
		for _, s := range dr.Subsets {
			if s.Name == subset {
				return s.Labels
			}
		}
	}
	return nil
}

func (e *env) deploymentsMatching(ns string, labels map[string]string) []string {
	out := []string{}
	if len(labels) == 0 {
		return out
	}
	sel := klabels.SelectorFromSet(labels)
	for _, d := range e.c.deployments {
		if d.Namespace != ns {
			continue
		}
		if sel.Matches(klabels.Set(d.Spec.Template.Labels)) && (d.Spec.Replicas == nil || *d.Spec.Replicas > 0) {
			out = append(out, d.Namespace+"/"+d.Name)
		}
	}
	sort.Strings(out)
	return out
}

func (e *env) subsets() []subsetInfo {
	out := []subsetInfo{}
	for _, cfg := range e.c.istio {
		if cfg.GroupVersionKind != gvk.DestinationRule {
			continue
		}
		dr := cfg.Spec.(*networking.DestinationRule)
		sel, ns := e.serviceSelector(dr.Host)
		if ns == "" {
			ns = cfg.Namespace
		}
		for _, s := range dr.Subsets {
			labels := map[string]string{}
			for k, v := range sel {
				labels[k] = v
			}
			for k, v := range s.Labels {
				labels[k] = v
			}
			out = append(out, subsetInfo{DestinationRule: cfg.Namespace + "/" + cfg.Name, Host: dr.Host, Subset: s.Name,
				Labels: labels, Deployments: e.deploymentsMatching(ns, labels)})
		}
	}
	return out
}

var _ = corev1.ServiceTypeClusterIP
