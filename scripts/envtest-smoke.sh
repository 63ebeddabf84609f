#!/usr/bin/env bash
# Smoke test for the envtest assets built by scripts/setup-envtest.sh:
# starts etcd and kube-apiserver on loopback ports chosen at run time, waits
# for /readyz, server-side-applies a namespace enforcing the "restricted" Pod
# Security Standard plus a compliant Deployment, checks that the (default,
# enabled) PodSecurity admission rejects a non-compliant Pod, then stops both
# processes. A trap always kills them, whatever happens.
#
# Usage: scripts/envtest-smoke.sh   (KUBEBUILDER_ASSETS=<dir> to skip setup-envtest.sh)
# Env:   KEEP_WORKDIR=1 keeps the temp dir (logs, kubeconfig, certs) for inspection.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "${KUBEBUILDER_ASSETS:-}" ]]; then
  KUBEBUILDER_ASSETS="$("$ROOT/scripts/setup-envtest.sh" | tail -n1)"
  KUBEBUILDER_ASSETS="${KUBEBUILDER_ASSETS#KUBEBUILDER_ASSETS=}"
fi
ETCD="$KUBEBUILDER_ASSETS/etcd"
APISERVER="$KUBEBUILDER_ASSETS/kube-apiserver"
KUBECTL="$KUBEBUILDER_ASSETS/kubectl"
for b in "$ETCD" "$APISERVER" "$KUBECTL"; do
  [[ -x "$b" ]] || { echo "envtest-smoke: missing $b" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/envtest-smoke.XXXXXX")"
ETCD_PID="" APISERVER_PID=""

stop() { # PID NAME: SIGTERM, up to 10s grace, then SIGKILL
  local pid="$1" name="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "envtest-smoke: $name ($pid) ignored SIGTERM, killing" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop "$APISERVER_PID" kube-apiserver
  stop "$ETCD_PID" etcd
  if [[ $rc -ne 0 ]]; then
    echo "envtest-smoke: FAILED (exit $rc); last log lines:" >&2
    for f in etcd kube-apiserver; do
      [[ -f "$WORK/$f.log" ]] && { echo "--- $f.log" >&2; tail -n 25 "$WORK/$f.log" >&2; }
    done
  fi
  if [[ "${KEEP_WORKDIR:-0}" == 1 ]]; then echo "envtest-smoke: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback port, chosen by the kernel at run time.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
ETCD_CLIENT_PORT="$(free_port)"
ETCD_PEER_PORT="$(free_port)"
APISERVER_PORT="$(free_port)"
while [[ "$ETCD_PEER_PORT" == "$ETCD_CLIENT_PORT" ]]; do ETCD_PEER_PORT="$(free_port)"; done
while [[ "$APISERVER_PORT" == "$ETCD_CLIENT_PORT" || "$APISERVER_PORT" == "$ETCD_PEER_PORT" ]]; do APISERVER_PORT="$(free_port)"; done

# --- credentials ---------------------------------------------------------
mkdir -p "$WORK/certs"
openssl genrsa -out "$WORK/sa.key" 2048 2>/dev/null
openssl rsa -in "$WORK/sa.key" -pubout -out "$WORK/sa.pub" 2>/dev/null
ADMIN_TOKEN="$(openssl rand -hex 32)"
# token,user,uid,"group1,group2"
printf '%s,admin,admin-uid,"system:masters"\n' "$ADMIN_TOKEN" >"$WORK/tokens.csv"

# --- etcd -----------------------------------------------------------------
ETCD_URL="http://127.0.0.1:$ETCD_CLIENT_PORT"
ETCD_ARGS=(
  --name=envtest
  --data-dir="$WORK/etcd-data"
  --listen-client-urls="$ETCD_URL"
  --advertise-client-urls="$ETCD_URL"
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT"
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT"
  --initial-cluster="envtest=http://127.0.0.1:$ETCD_PEER_PORT"
  --unsafe-no-fsync=true
  --log-level=warn
)
t0=$SECONDS
"$ETCD" "${ETCD_ARGS[@]}" >"$WORK/etcd.log" 2>&1 &
ETCD_PID=$!

# --- kube-apiserver ------------------------------------------------------
APISERVER_ARGS=(
  --etcd-servers="$ETCD_URL"
  --bind-address=127.0.0.1
  --advertise-address=127.0.0.1
  --secure-port="$APISERVER_PORT"
  --cert-dir="$WORK/certs"
  --service-account-issuer="https://127.0.0.1:$APISERVER_PORT"
  --service-account-key-file="$WORK/sa.pub"
  --service-account-signing-key-file="$WORK/sa.key"
  --token-auth-file="$WORK/tokens.csv"
  --authorization-mode=RBAC
  --service-cluster-ip-range=10.0.0.0/24
  --allow-privileged=true
)
"$APISERVER" "${APISERVER_ARGS[@]}" >"$WORK/kube-apiserver.log" 2>&1 &
APISERVER_PID=$!

# --- kubeconfig -----------------------------------------------------------
# kube-apiserver self-signs a serving cert into --cert-dir at startup;
# apiserver.crt holds the cert followed by its CA, so it doubles as the
# kubeconfig's certificate-authority (no insecure-skip-tls-verify needed).
for _ in $(seq 1 200); do   # up to 20s
  [[ -s "$WORK/certs/apiserver.crt" ]] && break
  kill -0 "$APISERVER_PID" 2>/dev/null || { echo "envtest-smoke: kube-apiserver exited early" >&2; exit 1; }
  sleep 0.1
done
[[ -s "$WORK/certs/apiserver.crt" ]] || { echo "envtest-smoke: no $WORK/certs/apiserver.crt after 20s" >&2; exit 1; }
KUBECONFIG="$WORK/kubeconfig"
export KUBECONFIG
cat >"$KUBECONFIG" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: envtest
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority: $WORK/certs/apiserver.crt
users:
- name: admin
  user:
    token: $ADMIN_TOKEN
contexts:
- name: envtest
  context: {cluster: envtest, user: admin}
current-context: envtest
KCFG
k() { "$KUBECTL" --request-timeout=20s "$@"; }

# --- wait for /readyz -------------------------------------------------------
ready=0
for _ in $(seq 1 240); do   # up to 60s
  kill -0 "$ETCD_PID" 2>/dev/null || { echo "envtest-smoke: etcd exited early" >&2; exit 1; }
  kill -0 "$APISERVER_PID" 2>/dev/null || { echo "envtest-smoke: kube-apiserver exited early" >&2; exit 1; }
  if [[ "$(k get --raw /readyz 2>/dev/null)" == ok ]]; then ready=1; break; fi
  sleep 0.25
done
[[ $ready == 1 ]] || { echo "envtest-smoke: /readyz not ok after 60s" >&2; k get --raw '/readyz?verbose' >&2 || true; exit 1; }
echo "envtest-smoke: /readyz ok after $((SECONDS - t0))s (etcd :$ETCD_CLIENT_PORT, kube-apiserver :$APISERVER_PORT)"
server_version="$(k get --raw /version | grep -o '"gitVersion": *"[^"]*"' | grep -o 'v[0-9][^"]*')"
echo "envtest-smoke: server version $server_version"

# --- server-side apply --------------------------------------------------------
cat >"$WORK/manifest.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: smoke
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
---
# No kube-controller-manager runs, so nothing creates the "default"
# ServiceAccount; the ServiceAccount admission plugin needs it for Pods.
apiVersion: v1
kind: ServiceAccount
metadata:
  name: default
  namespace: smoke
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: smoke
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: registry.example/web:1.0
        ports: [{containerPort: 8080}]
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
          readOnlyRootFilesystem: true
YAML
k apply --server-side --field-manager=envtest-smoke -f "$WORK/manifest.yaml"
label="$(k get namespace smoke -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')"
[[ "$label" == restricted ]] || { echo "envtest-smoke: namespace label is '$label'" >&2; exit 1; }
k -n smoke get deployment web -o jsonpath='{.metadata.name} managed by {.metadata.managedFields[0].manager} ({.metadata.managedFields[0].operation}){"\n"}'
# Apply again: server-side apply must be idempotent.
k apply --server-side --field-manager=envtest-smoke -f "$WORK/manifest.yaml" >/dev/null

# --- PodSecurity admission is enforced ------------------------------------------
if out="$(k -n smoke run bad --image=registry.example/bad:1 --restart=Never \
            --overrides='{"spec":{"containers":[{"name":"bad","image":"registry.example/bad:1","securityContext":{"privileged":true}}]}}' 2>&1)"; then
  echo "envtest-smoke: a privileged Pod was admitted in a restricted namespace: $out" >&2; exit 1
fi
grep -q 'violates PodSecurity "restricted:latest"' <<<"$out" \
  || { echo "envtest-smoke: privileged Pod rejected for another reason: $out" >&2; exit 1; }
echo "envtest-smoke: privileged Pod rejected by PodSecurity (restricted:latest)"

echo "envtest-smoke: etcd flags: ${ETCD_ARGS[*]}"
echo "envtest-smoke: kube-apiserver flags: ${APISERVER_ARGS[*]}"
echo "envtest-smoke: OK in $((SECONDS - t0))s"
