// Command istio-routes proves fleetchart's rendered Istio objects through Istio's own code.
//
//	istio-routes routes  --dir charts-out/<cluster> --requests requests.json   # JSON on stdout
//	istio-routes dump    --dir charts-out/<cluster>                           # Envoy RouteConfigurations
//	istio-routes analyze --dir charts-out/<cluster>                           # Istio analyzer messages
//
// "routes" loads every object of the cluster's output, hands the VirtualServices, DestinationRules
// and Gateways to istiod's config generator (pilot/pkg/networking/core, the code that serves RDS to
// every Envoy), builds the route configuration of an ingress gateway and of a sidecar, and
// evaluates each request against it with Envoy's matching semantics (envoy.go). It is built from
// the Go module proxy by scripts/setup-istio-routes.sh; the tests drive it through
// test/support/istio-routes.ts.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	dir := fs.String("dir", "", "folder with one cluster's rendered YAML (charts-out/<cluster>)")
	requests := fs.String("requests", "", "JSON file with the requests to evaluate (routes only); - for stdin")
	reverse := fs.Bool("reverse-creation", false, "create the objects in reverse name order (istiod orders same-host VirtualServices by creation time)")
	_ = fs.Parse(os.Args[2:])
	if *dir == "" {
		usage()
	}
	quietIstioLogs()
	var out any
	var err error
	switch cmd {
	case "routes":
		out, err = runRoutes(*dir, *requests, *reverse)
	case "dump":
		out, err = runDump(*dir, *reverse)
	case "analyze":
		out, err = runAnalyze(*dir)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "istio-routes %s: %v\n", cmd, err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "istio-routes: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: istio-routes routes|dump|analyze --dir <charts-out/cluster> [--requests file.json] [--reverse-creation]")
	os.Exit(2)
}
