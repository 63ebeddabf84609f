// trivy-k8s: trivy's Kubernetes misconfiguration scan (the same scanner and embedded checks as
// `trivy config`, from github.com/aquasecurity/trivy/pkg/iac) without the rest of trivy (image,
// SBOM, vulnerability DB, cloud SDKs), so CI builds a fraction of it. Built by
// scripts/install-tools.sh (trivy-k8s); writes one JSON line per failed check:
//
//	trivy-k8s <dir> [<data dir>]   → {"id":"KSV-0014","file":"prod-eu-west/x.k8s.yaml","line":12,"title":"..."}
//
// The data dir holds the checks' settings (as `trivy config --config-data`), e.g. the trusted
// registries of KSV-0125.
//
// Per-object ignores: trivy reads none for Kubernetes manifests (aquasecurity/trivy#6758).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aquasecurity/trivy/pkg/iac/rego"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/kubernetes"
	"github.com/aquasecurity/trivy/pkg/iac/scanners/options"
)

type finding struct {
	ID    string `json:"id"`
	File  string `json:"file"`
	Line  int    `json:"line"`
	Title string `json:"title"`
	What  string `json:"description"`
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: trivy-k8s <dir> [<data dir>]")
		os.Exit(2)
	}
	opts := []options.ScannerOption{rego.WithEmbeddedPolicies(true), rego.WithEmbeddedLibraries(true)}
	if len(os.Args) == 3 {
		opts = append(opts, rego.WithDataFilesystem(os.DirFS(os.Args[2])), rego.WithDataDirs("."))
	}
	scanner := kubernetes.NewScanner(opts...)
	results, err := scanner.ScanFS(context.Background(), os.DirFS(os.Args[1]), ".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "trivy-k8s:", err)
		os.Exit(1)
	}
	out := json.NewEncoder(os.Stdout)
	for _, r := range results.GetFailed() {
		rule := r.Rule()
		id := rule.ID
		if rule.AVDID != "" {
			id = rule.AVDID
		}
		rng := r.Range()
		if err := out.Encode(finding{ID: id, File: rng.GetFilename(), Line: rng.GetStartLine(), Title: rule.Summary, What: r.Description()}); err != nil {
			os.Exit(1)
		}
	}
}
