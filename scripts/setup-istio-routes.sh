#!/usr/bin/env bash
# Builds scripts/istio-routes -- fleetchart's probe on Istio's own pilot code (route translation,
# config validation, analyzers) -- from the Go module proxy into
#   <repo>/.tools/istio-routes/istio-routes
# and prints, as the last line of stdout:
#   ISTIO_ROUTES=<absolute path of the binary>
# (so `export "$(scripts/setup-istio-routes.sh | tail -n1)"` works).
#
# Pinned by the tools module scripts/istio-routes (go.mod + go.sum): istio.io/istio at a
# pseudo-version (Istio publishes no tagged Go module versions). Only the packages the probe imports
# are compiled (istiod's config generator and analyzers, ~1,450 packages), not istiod itself.
# Measured cold (empty Go build cache): 940 s wall on a shared 2-core machine under load, 352 CPU-s
# (user+sys); binary ~112 MiB.
#
# Cached: if the binary exists and its stamp matches the hash of the module's go.mod, go.sum and
# *.go files (and GOOS/GOARCH), nothing is built (well under 1s).
# Env: TOOLS_DIR (default <repo>/.tools), GO, FORCE=1 to rebuild.
# Progress goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/scripts/istio-routes"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.tools}"
OUT="$TOOLS_DIR/istio-routes"
BIN="$OUT/istio-routes"

log() { echo "setup-istio-routes: $*" >&2; }

if [[ -z "${GO:-}" ]]; then
  if command -v go >/dev/null 2>&1; then GO="$(command -v go)";
  elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go;
  else log "no Go toolchain found (need go on PATH or /usr/local/go/bin/go)"; exit 1; fi
fi

source_hash="$(cd "$MOD_DIR" && sha256sum go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
stamp_value="src=$source_hash $("$GO" env GOOS GOARCH | tr '\n' ' ')"
stamp="$OUT/.stamp"

if [[ "${FORCE:-0}" != 1 && -f "$stamp" && "$(cat "$stamp")" == "$stamp_value" && -x "$BIN" ]]; then
  log "cached: $BIN"
else
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -buildvcs=false -mod=readonly"
  mkdir -p "$OUT"
  start=$SECONDS
  log "building istio-routes (istio.io/istio pilot code; cold: ~6 CPU-minutes, 16 min on a busy 2-core machine) ..."
  (cd "$MOD_DIR" && "$GO" build -trimpath -ldflags="-s -w" -o "$BIN.partial" .)
  out="$("$BIN.partial" 2>&1 || true)"
  [[ "$out" == *"usage: istio-routes"* ]] || { log "built binary does not run: $out"; exit 1; }
  mv "$BIN.partial" "$BIN"
  echo "$stamp_value" >"$stamp"
  log "built $BIN in $((SECONDS - start))s ($(du -h "$BIN" | cut -f1))"
fi

echo "ISTIO_ROUTES=$BIN"
