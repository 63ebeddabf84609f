#!/usr/bin/env bash
# The third-party linters over the committed charts-out/, with their default checks, one cluster at a time
# (objects of different clusters must not satisfy each other's references). A finding fails the
# run unless lint/kube-score.yaml waives it with a reason. Run by .ci/run after npm test.
#
# kube-score is built from the Go module proxy by scripts/install-tools.sh. kube-linter
# (golang.stackrox.io/kube-linter) is not served by the module proxy this project can reach
# (403): it is tried, and skipped with a notice when it cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.tools/bin
scripts/install-tools.sh kube-score
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT

clusters=(charts-out/*/)
[[ -d "${clusters[0]}" ]] || { echo "lint-go: charts-out/ is empty; run npm run synth" >&2; exit 1; }
for dir in "${clusters[@]}"; do
  cluster="$(basename "$dir")"
  # kube-score exits 1 when it grades anything critical; the waivers decide, so read its report.
  "$BIN/kube-score" score --output-format json "$dir"*.yaml >"$reports/$cluster.json" || true
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$reports/$cluster.json"
done
node --require tsx/cjs lint/kube-score.ts "$reports"/*.json

# checkov (PyPI, pinned, a venv under .tools): the Kubernetes framework over all clusters at once
# (its findings name the file); lint/checkov.yaml waives fleet-wide decisions with reasons.
scripts/install-tools.sh checkov
"$BIN/checkov" -d charts-out --framework kubernetes --output json --quiet --compact --skip-download >"$reports/checkov.json" || true
node --require tsx/cjs lint/checkov.ts "$reports/checkov.json"

# trivy's Kubernetes misconfiguration checks (scripts/trivy-k8s: trivy's scanner and embedded
# checks without the rest of trivy), with the fleet's check settings from lint/trivy-data/.
scripts/install-tools.sh trivy
"$BIN/trivy-k8s" charts-out lint/trivy-data >"$reports/trivy.jsonl"
node --require tsx/cjs lint/trivy.ts "$reports/trivy.jsonl"

if scripts/install-tools.sh kube-linter >/dev/null 2>&1; then
  "$BIN/kube-linter" lint --config .kube-linter.yaml charts-out/
else
  echo "kube-linter: not installable here (golang.stackrox.io/kube-linter is refused by the Go module proxy); skipped"
fi
