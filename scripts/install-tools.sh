#!/usr/bin/env bash
# Installs pinned third-party CLI tools into <repo>/.tools/bin by building them
# from source with the Go toolchain (the Go module proxy is the only place these
# tools can be fetched from on the project's machines: no release downloads).
#
# Usage: scripts/install-tools.sh [TOOL...]     (default: all tools)
#   TOOL is one of: helm kube-score kube-linter promtool prometheus actionlint trivy checkov
# Env:   TOOLS_DIR (default <repo>/.tools), GO (default: go on PATH or /usr/local/go/bin/go)
#        FORCE=1 rebuilds even when the pinned version is already installed.
#
# Idempotent: a tool whose stamp file (.tools/stamps/<tool>) records the pinned
# version, and whose binary is present, is skipped, so a second run takes well under a second.
# Prints one line per tool: "<tool> <version> installed|cached (<path>)".
# Exits non-zero if any requested tool could not be installed.
set -euo pipefail

HELM_VERSION=v3.19.0          # helm.sh/helm/v3 (built against k8s.io/* v0.34.0)
KUBE_SCORE_VERSION=v1.20.0    # github.com/zegl/kube-score
KUBE_LINTER_VERSION=v0.7.6    # golang.stackrox.io/kube-linter -- NOT served by this machine's Go proxy (403)
PROMETHEUS_VERSION=v0.316.0   # github.com/prometheus/prometheus (Prometheus 3.x module tag): promtool + server


ACTIONLINT_VERSION=v1.7.12    # github.com/rhysd/actionlint (lints ci-examples/github/*.yml)

TRIVY_VERSION=v0.74.0         # github.com/aquasecurity/trivy, pinned in scripts/trivy-k8s/go.mod (needs GOEXPERIMENT=jsonv2)
CHECKOV_VERSION=3.3.30        # PyPI checkov, into a venv at .tools/checkov (python3 -m venv)

ALL_TOOLS=(helm kube-score kube-linter promtool prometheus actionlint trivy checkov)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"
BIN_DIR="$TOOLS_DIR/bin"
STAMP_DIR="$TOOLS_DIR/stamps"
LOG_DIR="$TOOLS_DIR/logs"
mkdir -p "$BIN_DIR" "$STAMP_DIR" "$LOG_DIR"

if [[ -z "${GO:-}" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)";
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go;
  else echo "install-tools: no Go toolchain found (need go on PATH or /usr/local/go/bin/go)" >&2; exit 1; fi
fi

# Static, reproducible-ish builds; never try to download another Go toolchain.
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -buildvcs=false"

# go_install TOOL VERSION PKG LDFLAGS
go_install() {
  local tool="$1" version="$2" pkg="$3" ldflags="$4"
  local bin="$BIN_DIR/$tool" stamp="$STAMP_DIR/$tool" log="$LOG_DIR/$tool.log"
  if [[ "${FORCE:-0}" != 1 && -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    echo "$tool $version cached ($bin)"
    return 0
  fi
  rm -f "$stamp"
  local start=$SECONDS
  if ! GOBIN="$BIN_DIR" "$GO" install -trimpath -ldflags="-s -w $ldflags" "$pkg@$version" >"$log" 2>&1; then
    echo "$tool $version FAILED: go install $pkg@$version (log: $log)" >&2
    sed 's/^/  | /' "$log" | tail -n 15 >&2
    return 1
  fi
  echo "$version" >"$stamp"
  echo "$tool $version installed in $((SECONDS - start))s ($bin)"
}

install_helm() {
  # Same -X flags as helm's Makefile, so `helm version` and the default
  # .Capabilities.KubeVersion (v1.34, from k8s.io/client-go v0.34) match a release build.
  local p=helm.sh/helm/v3
  go_install helm "$HELM_VERSION" "$p/cmd/helm" \
    "-X $p/internal/version.version=$HELM_VERSION -X $p/internal/version.gitTreeState=clean \
     -X $p/pkg/lint/rules.k8sVersionMajor=1 -X $p/pkg/lint/rules.k8sVersionMinor=34 \
     -X $p/pkg/chartutil.k8sVersionMajor=1 -X $p/pkg/chartutil.k8sVersionMinor=34"
}

install_kube_score() {
  go_install kube-score "$KUBE_SCORE_VERSION" github.com/zegl/kube-score/cmd/kube-score \
    "-X main.version=${KUBE_SCORE_VERSION#v}"
}

install_kube_linter() {
  go_install kube-linter "$KUBE_LINTER_VERSION" golang.stackrox.io/kube-linter/cmd/kube-linter \
    "-X golang.stackrox.io/kube-linter/internal/version.version=${KUBE_LINTER_VERSION#v}"
}

# promtool (check/test rules, tsdb backfill) and the server the verdict tests query. Service
# discovery plugins are left out with the remove_all_sd build tag (plugins/plugin_*.go in the
# module): the tests only read local blocks, and it saves a large share of the cold build.
install_prometheus_tool() {
  local tool="$1" p=github.com/prometheus/common/version
  GOFLAGS="$GOFLAGS -tags=remove_all_sd" go_install "$tool" "$PROMETHEUS_VERSION" \
    "github.com/prometheus/prometheus/cmd/$tool" "-X $p.Version=${PROMETHEUS_VERSION#v}"
}

install_actionlint() {
  # Same -X flag as actionlint's release build (its version command reads it).
  go_install actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint \
    "-X github.com/rhysd/actionlint.version=${ACTIONLINT_VERSION}"
}

install_trivy() {
  # Not cmd/trivy: its cold build (every scanner, the vulnerability DB, cloud SDKs, sqlite) took
  # over an hour here. scripts/trivy-k8s builds only trivy's Kubernetes misconfiguration scanner
  # (pkg/iac, embedded checks) from the same module. v0.74 uses encoding/json/v2, an experiment
  # in Go 1.25/1.26.
  local bin="$BIN_DIR/trivy-k8s" stamp="$STAMP_DIR/trivy-k8s" log="$LOG_DIR/trivy-k8s.log"
  if [[ "${FORCE:-0}" != 1 && -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$TRIVY_VERSION" ]]; then
    echo "trivy-k8s $TRIVY_VERSION cached ($bin)"
    return 0
  fi
  rm -f "$stamp"
  local start=$SECONDS
  if ! (cd "$ROOT/scripts/trivy-k8s" && GOEXPERIMENT=jsonv2 "$GO" build -trimpath -ldflags="-s -w" -o "$bin" .) >"$log" 2>&1; then
    echo "trivy-k8s $TRIVY_VERSION FAILED: go build scripts/trivy-k8s (log: $log)" >&2
    sed 's/^/  | /' "$log" | tail -n 15 >&2
    return 1
  fi
  echo "$TRIVY_VERSION" >"$stamp"
  echo "trivy-k8s $TRIVY_VERSION installed in $((SECONDS - start))s ($bin)"
}

install_checkov() {
  # PyPI, not Go: a venv of its own under .tools, the same stamp and cache rules as the Go tools.
  local venv="$TOOLS_DIR/checkov" stamp="$STAMP_DIR/checkov" log="$LOG_DIR/checkov.log"
  if [[ "${FORCE:-0}" != 1 && -x "$venv/bin/checkov" && -f "$stamp" && "$(cat "$stamp")" == "$CHECKOV_VERSION" ]]; then
    echo "checkov $CHECKOV_VERSION cached ($BIN_DIR/checkov)"
    return 0
  fi
  rm -f "$stamp"
  local start=$SECONDS
  if ! { rm -rf "$venv" && python3 -m venv "$venv" && "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"; } >"$log" 2>&1; then
    echo "checkov $CHECKOV_VERSION FAILED: pip install checkov==$CHECKOV_VERSION (log: $log)" >&2
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    return 1
  fi
  ln -sf "$venv/bin/checkov" "$BIN_DIR/checkov"
  echo "$CHECKOV_VERSION" >"$stamp"
  echo "checkov $CHECKOV_VERSION installed in $((SECONDS - start))s ($BIN_DIR/checkov)"
}

tools=("$@")
[[ ${#tools[@]} -eq 0 ]] && tools=("${ALL_TOOLS[@]}")

failed=()
for t in "${tools[@]}"; do
  case "$t" in
    helm) install_helm || failed+=("$t") ;;
    kube-score) install_kube_score || failed+=("$t") ;;
    kube-linter) install_kube_linter || failed+=("$t") ;;
    promtool|prometheus) install_prometheus_tool "$t" || failed+=("$t") ;;
    actionlint) install_actionlint || failed+=("$t") ;;
    trivy) install_trivy || failed+=("$t") ;;
    checkov) install_checkov || failed+=("$t") ;;
    *) echo "install-tools: unknown tool '$t' (known: ${ALL_TOOLS[*]})" >&2; exit 2 ;;
  esac
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "install-tools: failed: ${failed[*]}" >&2
  exit 1
fi
