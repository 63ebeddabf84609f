package main

import "runtime/debug"

// istioProxyTag: the proxy image tag the derived pods carry (only its presence is analysed).
const istioProxyTag = "1.28.0"

// istioVersion reports the istio.io/istio module this binary was built from.
func istioVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "istio.io/istio" {
				return d.Path + "@" + d.Version
			}
		}
	}
	return "istio.io/istio@unknown"
}
