package main

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/resource"
)

// Finding is one message of Istio's analyzers (the code istioctl analyze runs).
type Finding struct {
	Code     string `json:"code"`  // e.g. IST0101
	Level    string `json:"level"` // Error | Warning | Info
	Resource string `json:"resource"`
	Message  string `json:"message"`
}

type AnalyzeOutput struct {
	IstioModule string    `json:"istio"`
	Analyzers   []string  `json:"analyzers"`
	Skipped     []string  `json:"skipped"`
	Findings    []Finding `json:"findings"`
	DerivedPods []string  `json:"derivedPods"`
}

// runAnalyze runs every analyzer of analyzers.AllCombined() over the cluster's files, the way
// `istioctl analyze <files>` does (istioctl/pkg/analyze/analyze.go: NewSourceAnalyzer,
// AddReaderKubeSource, AddDefaultResources), plus one Pod per Deployment, since analyzers that
// look at workloads (injection, port/selector checks) read Pods, which a chart does not contain.
func runAnalyze(dir string) (any, error) {
	c, err := loadCluster(dir)
	if err != nil {
		return nil, err
	}
	sa := local.NewSourceAnalyzer(analyzers.AllCombined(), "", resource.Namespace("istio-system"), nil)
	var readers []local.ReaderSource
	for _, d := range c.raw {
		readers = append(readers, local.ReaderSource{Name: d.file, Reader: strings.NewReader(d.yaml)})
	}
	pods, names, err := derivedPods(c)
	if err != nil {
		return nil, err
	}
	readers = append(readers, local.ReaderSource{Name: "derived-pods", Reader: strings.NewReader(pods)})
	// The test source also reads runtime kinds (Pods); AddReaderKubeSource would drop them.
	if err := sa.AddTestReaderKubeSource(readers); err != nil {
		return nil, err
	}
	if err := sa.AddDefaultResources(); err != nil {
		return nil, err
	}
	cancel := make(chan struct{})
	res, err := sa.Analyze(cancel)
	close(cancel)
	if err != nil {
		return nil, err
	}
	out := AnalyzeOutput{IstioModule: istioVersion(), Analyzers: res.ExecutedAnalyzers, Skipped: res.SkippedAnalyzers,
		Findings: []Finding{}, DerivedPods: names}
	for _, m := range res.Messages {
		r := ""
		if m.Resource != nil {
			r = m.Resource.Origin.FriendlyName()
		}
		out.Findings = append(out.Findings, Finding{Code: m.Type.Code(), Level: m.Type.Level().String(), Resource: r,
			Message: m.String()})
	}
	sort.Strings(out.Analyzers)
	sort.Strings(out.Skipped)
	if out.Skipped == nil {
		out.Skipped = []string{}
	}
	return out, nil
}

// derivedPods: one Pod per Deployment, as its ReplicaSet would create it: the template's labels,
// annotations and spec, plus the sidecar the injector adds in a namespace labelled
// istio-injection=enabled (the analyzer would otherwise report every pod as missing its proxy).
func derivedPods(c *cluster) (string, []string, error) {
	injected := map[string]bool{}
	for _, ns := range c.namespaces {
		if ns.Labels["istio-injection"] == "enabled" || ns.Labels["istio.io/rev"] != "" {
			injected[ns.Name] = true
		}
	}
	var docs []string
	var names []string
	for _, d := range c.deployments {
		t := d.Spec.Template
		pod := corev1.Pod{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
			ObjectMeta: metav1.ObjectMeta{Name: d.Name + "-0", Namespace: d.Namespace, Labels: t.Labels, Annotations: map[string]string{}},
			Spec:       *t.Spec.DeepCopy(),
		}
		for k, v := range t.Annotations {
			pod.Annotations[k] = v
		}
		if injected[d.Namespace] && pod.Annotations["sidecar.istio.io/inject"] != "false" && t.Labels["sidecar.istio.io/inject"] != "false" {
			pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:" + istioProxyTag})
			pod.Annotations["sidecar.istio.io/status"] = `{"containers":["istio-proxy"]}`
		}
		b, err := yaml.Marshal(pod)
		if err != nil {
			return "", nil, err
		}
		docs = append(docs, string(b))
		names = append(names, pod.Namespace+"/"+pod.Name)
	}
	return strings.Join(docs, "---\n"), names, nil
}
