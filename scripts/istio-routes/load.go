package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/schema/resource"
	istiolog "istio.io/istio/pkg/log"
)

// cluster is one cluster's rendered output, as Istio and Kubernetes read it.
type cluster struct {
	istio       []config.Config // every kind istiod knows (VirtualService, DestinationRule, ...)
	services    []corev1.Service
	deployments []appsv1.Deployment
	namespaces  []corev1.Namespace
	validation  []validationFinding
	raw         []rawDoc // every file, whole, for the analyzer (its file source keys resources by file name)
}

type rawDoc struct {
	file string
	yaml string
}

// validationFinding is what Istio's admission webhook (pkg/config/validation) says of one object.
type validationFinding struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Severity  string `json:"severity"` // error | warning
	Message   string `json:"message"`
}

func yamlFiles(dir string) ([]string, error) {
	var files []string
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no *.yaml in %s", dir)
	}
	return files, nil
}

func loadCluster(dir string) (*cluster, error) {
	files, err := yamlFiles(dir)
	if err != nil {
		return nil, err
	}
	c := &cluster{}
	for _, f := range files {
		content, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		c.raw = append(c.raw, rawDoc{file: filepath.Base(f), yaml: string(content)})
		for _, doc := range splitYAML(string(content)) {
			if err := c.add(filepath.Base(f), doc); err != nil {
				return nil, fmt.Errorf("%s: %v", f, err)
			}
		}
	}
	return c, nil
}

// splitYAML splits a multi-document stream on "---" lines (what cdk8s writes).
func splitYAML(s string) []string {
	var docs []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if strings.TrimRight(line, "\r\n") == "---" {
			docs = append(docs, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	docs = append(docs, cur.String())
	out := docs[:0]
	for _, d := range docs {
		if strings.TrimSpace(d) != "" {
			out = append(out, d)
		}
	}
	return out
}

func (c *cluster) add(file, doc string) error {
	var obj crd.IstioKind
	if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
		return err
	}
	gvk := obj.GroupVersionKind()
	if s, ok := collections.PilotGatewayAPI().FindByGroupVersionAliasesKind(resource.FromKubernetesGVK(&gvk)); ok {
		cfg, err := crd.ConvertObject(s, &obj, "")
		if err != nil {
			return fmt.Errorf("%s %s/%s: %v", obj.Kind, obj.Namespace, obj.Name, err)
		}
		// The same check istiod's admission webhook runs (pkg/config/validation); reported, not fatal,
		// so the translation still shows what Envoy would get.
		warn, verr := s.ValidateConfig(*cfg)
		if verr != nil {
			c.validation = append(c.validation, validationFinding{obj.Kind, obj.Namespace, obj.Name, "error", verr.Error()})
		}
		if warn != nil {
			c.validation = append(c.validation, validationFinding{obj.Kind, obj.Namespace, obj.Name, "warning", warn.Error()})
		}
		c.istio = append(c.istio, *cfg)
		return nil
	}
	switch obj.Kind {
	case "Service":
		var svc corev1.Service
		if err := yaml.Unmarshal([]byte(doc), &svc); err != nil {
			return err
		}
		c.services = append(c.services, svc)
	case "Deployment":
		var d appsv1.Deployment
		if err := yaml.Unmarshal([]byte(doc), &d); err != nil {
			return err
		}
		c.deployments = append(c.deployments, d)
	case "Namespace":
		var ns corev1.Namespace
		if err := yaml.Unmarshal([]byte(doc), &ns); err != nil {
			return err
		}
		c.namespaces = append(c.namespaces, ns)
	}
	return nil
}

// quietIstioLogs keeps istiod's informational logging off stdout (the JSON answer goes there).
func quietIstioLogs() {
	o := istiolog.DefaultOptions()
	o.OutputPaths = []string{"stderr"}
	o.ErrorOutputPaths = []string{"stderr"}
	o.SetDefaultOutputLevel("all", istiolog.ErrorLevel)
	_ = istiolog.Configure(o)
}
