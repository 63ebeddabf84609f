#!/usr/bin/env bash
# Builds the controller-runtime "envtest" assets -- kube-apiserver, etcd and
# kubectl -- from source with the Go toolchain, into
#   <repo>/.tools/envtest/<k8s-version>/
# and prints, as the last line of stdout:
#   KUBEBUILDER_ASSETS=<absolute path of that folder>
# (so `eval "$(scripts/setup-envtest.sh | tail -n1)"` or `export "$(... | tail -n1)"` works).
#
# Sources are pinned by the tools module in scripts/envtest-tools (go.mod +
# go.sum): k8s.io/kubernetes v1.34.4 with every k8s.io/* staging module
# replaced by its published v0.34.4, and go.etcd.io/etcd/server/v3 v3.6.4
# (the etcd that Kubernetes v1.34.4 itself pins). Official release binaries
# cannot be downloaded on the project's machines; the Go module proxy can.
#
# Cached: if the three binaries exist and the stamp matches the pinned
# versions and the tools module's go.sum, nothing is built (well under 1s).
# Env: TOOLS_DIR (default <repo>/.tools), GO, FORCE=1 to rebuild.
# Progress goes to stderr; first build takes ~10 min on 2 cores.
set -euo pipefail

K8S_VERSION=v1.34.4   # must match k8s.io/kubernetes in scripts/envtest-tools/go.mod
ETCD_VERSION=v3.6.4   # must match go.etcd.io/etcd/server/v3 in scripts/envtest-tools/go.mod

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/scripts/envtest-tools"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"
OUT="$TOOLS_DIR/envtest/${K8S_VERSION#v}"

log() { echo "setup-envtest: $*" >&2; }

if [[ -z "${GO:-}" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)";
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go;
  else log "no Go toolchain found (need go on PATH or /usr/local/go/bin/go)"; exit 1; fi
fi

# The pinned versions must agree with the tools module, or the stamp would lie.
for want in "k8s.io/kubernetes $K8S_VERSION" "go.etcd.io/etcd/server/v3 $ETCD_VERSION"; do
  if ! grep -qE "^[[:space:]]*${want// /[[:space:]]+}([[:space:]]|$)" "$MOD_DIR/go.mod"; then
    log "scripts/envtest-tools/go.mod does not require '$want'"; exit 1
  fi
done

stamp_value="k8s=$K8S_VERSION etcd=$ETCD_VERSION gosum=$(sha256sum "$MOD_DIR/go.sum" | cut -c1-16) $("$GO" env GOOS GOARCH | tr '\n' ' ')"
stamp="$OUT/.stamp"

if [[ "${FORCE:-0}" != 1 && -f "$stamp" && "$(cat "$stamp")" == "$stamp_value" \
      && -x "$OUT/kube-apiserver" && -x "$OUT/etcd" && -x "$OUT/kubectl" ]]; then
  log "cached: kube-apiserver/kubectl $K8S_VERSION, etcd $ETCD_VERSION in $OUT"
else
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -buildvcs=false"
  # Same -X flags as kubernetes' hack/lib/version.sh, so --version and the
  # apiserver's /version report v1.34.4 instead of v0.0.0-master.
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  kver=""
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    kver+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  staging="$OUT.partial"
  rm -rf "$staging"; mkdir -p "$staging"
  build() { # NAME PKG EXTRA_LDFLAGS
    local start=$SECONDS
    log "building $1 from $2 ..."
    (cd "$MOD_DIR" && "$GO" build -trimpath -ldflags="-s -w $3" -o "$staging/$1" "$2")
    log "built $1 in $((SECONDS - start))s"
  }
  build etcd go.etcd.io/etcd/server/v3 ""
  build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$kver"
  build kubectl k8s.io/kubernetes/cmd/kubectl "$kver"
  # Check that what we built runs and reports the pinned versions. (Capture
  # first: `cmd | grep -q` under pipefail fails when grep exits before cmd.)
  check() { # NAME EXPECTED-SUBSTRING CMD...
    local name="$1" want="$2" out; shift 2
    out="$("$@" 2>&1)" || { log "$name failed to run: $out"; exit 1; }
    [[ "$out" == *"$want"* ]] || { log "$name reports '$out', expected '$want'"; exit 1; }
  }
  check kube-apiserver "Kubernetes $K8S_VERSION" "$staging/kube-apiserver" --version
  check etcd "etcd Version: ${ETCD_VERSION#v}" "$staging/etcd" --version
  check kubectl "Client Version: $K8S_VERSION" "$staging/kubectl" version --client
  echo "$stamp_value" >"$staging/.stamp"
  rm -rf "$OUT"; mv "$staging" "$OUT"
  log "installed kube-apiserver/kubectl $K8S_VERSION, etcd $ETCD_VERSION in $OUT"
fi

echo "KUBEBUILDER_ASSETS=$OUT"
