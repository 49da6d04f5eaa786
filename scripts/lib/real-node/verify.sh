#!/usr/bin/env bash
# Checks a running real node end to end (run by `scripts/real-node verify`):
# pods run, kubectl logs/exec/port-forward work through the API server, a
# Service name resolves through CoreDNS and connects, and a default-deny
# NetworkPolicy blocks pod-to-pod traffic that was allowed before (kube-router
# enforcing), and allows it again once deleted.
#
# Needs: KUBECONFIG (the control plane's admin), NOTEBOOK_PLATFORM_REAL_NODE,
# NOTEBOOK_PLATFORM_REAL_NODE_PROBE_IMAGE (all in the control plane's env file).
# Traffic goes only to the pods it creates and to 127.0.0.1. Exits non-zero on
# the first failed check; always deletes its namespace.
set -euo pipefail

NS="real-node-verify-$$"
NODE="${NOTEBOOK_PLATFORM_REAL_NODE:?source the control plane env first}"
IMAGE="${NOTEBOOK_PLATFORM_REAL_NODE_PROBE_IMAGE:?source the control plane env first}"
PASSED=0
FAILED=0
PF_PID=""

log() { printf '[verify %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
k() { kubectl --request-timeout=20s "$@"; }
ok() { PASSED=$((PASSED + 1)); log "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); log "FAIL: $*"; summary; exit 1; }
summary() { printf '%s passed, %s failed\n' "$PASSED" "$FAILED"; }

cleanup() {
  if [[ -n "$PF_PID" ]]; then kill "$PF_PID" 2>/dev/null || true; fi
  k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT

# retry SECONDS CMD...: until CMD succeeds or SECONDS pass.
retry() {
  local t="$1" start=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < t)) || return 1
    sleep 1
  done
}

probe_pod() {
  local name="$1" app="$2"
  shift 2
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $name
  namespace: $NS
  labels: {app: $app}
spec:
  nodeSelector: {notebook-platform.io/real-node: "true"}
  terminationGracePeriodSeconds: 1
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: probe
    image: $IMAGE
    imagePullPolicy: Never
    command: [/probe]
    args: [$(printf '"%s",' "$@" | sed 's/,$//')]
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
YAML
}

pod_running() { [[ "$(k -n "$NS" get pod "$1" -o 'jsonpath={.status.phase}')" == Running ]]; }

connects() { [[ "$(k -n "$NS" exec client -- /probe connect "$1" 2>/dev/null)" == "ok "* ]]; }

log "namespace $NS on node $NODE, image $IMAGE"
k create namespace "$NS" >/dev/null
{
  probe_pod server server serve 8080
  printf -- '---\n'
  probe_pod client client sleep
  cat <<YAML
---
apiVersion: v1
kind: Service
metadata: {name: server, namespace: $NS}
spec:
  selector: {app: server}
  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
YAML
} | k apply -f - >/dev/null

if ! retry 120 pod_running server || ! retry 60 pod_running client; then
  k -n "$NS" describe pods >&2 || true
  fail "probe pods did not reach Running"
fi
[[ "$(k -n "$NS" get pod server -o 'jsonpath={.spec.nodeName}')" == "$NODE" ]] || fail "server pod is not on $NODE"
ok "pods Running on $NODE"

server_ip="$(k -n "$NS" get pod server -o 'jsonpath={.status.podIP}')"
retry 20 bash -c "kubectl -n '$NS' logs server | grep -q 'listening on'" || fail "kubectl logs server"
ok "kubectl logs"

connects "$server_ip:8080" || fail "kubectl exec client -- /probe connect $server_ip:8080"
ok "kubectl exec; pod-to-pod $server_ip:8080"

svc_ip="$(k -n "$NS" get service server -o 'jsonpath={.spec.clusterIP}')"
resolved="$(k -n "$NS" exec client -- /probe resolve "server.$NS.svc.cluster.local" || true)"
[[ "$resolved" == "$svc_ip" ]] || fail "server.$NS.svc.cluster.local resolved to '$resolved', want $svc_ip"
resolved="$(k -n "$NS" exec client -- /probe resolve server || true)"
[[ "$resolved" == "$svc_ip" ]] || fail "short name 'server' resolved to '$resolved' (search path), want $svc_ip"
retry 10 connects "server:80" || fail "connect to the Service by name"
ok "CoreDNS resolves the Service ($svc_ip); connect through kube-proxy"

# Port-forward to a free local port, then read the greeting from the host.
port=$((30000 + RANDOM % 2000))
kubectl -n "$NS" port-forward --address 127.0.0.1 pod/server "$port:8080" >/dev/null 2>&1 &
PF_PID=$!
got=""
for _ in $(seq 1 20); do
  got="$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && cat <&3" 2>/dev/null || true)"
  [[ "$got" == ok* ]] && break
  sleep 0.5
done
[[ "$got" == ok* ]] || fail "kubectl port-forward (got '$got')"
kill "$PF_PID" 2>/dev/null || true
PF_PID=""
ok "kubectl port-forward"

cat <<YAML | k apply -f - >/dev/null
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: $NS}
spec:
  podSelector: {}
  policyTypes: [Ingress]
YAML
# kube-router applies policies within a second or two; allow 30.
retry 30 bash -c "! kubectl -n '$NS' exec client -- /probe connect '$server_ip:8080'" \
  || fail "default-deny NetworkPolicy did not block client -> server"
ok "default-deny blocks client -> server (kube-router enforces)"

cat <<YAML | k apply -f - >/dev/null
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-client, namespace: $NS}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: 8080, protocol: TCP}]
YAML
retry 30 connects "$server_ip:8080" || fail "an allow rule for client -> server:8080 did not open it"
ok "an allow rule reopens client -> server:8080"

# Egress: deny all from the client, then allow DNS to the CoreDNS pods only
# (the rule shape the product uses; kube-proxy has DNATed 10.96.0.10 to the
# pod before the policy is evaluated).
resolves() { [[ "$(k -n "$NS" exec client -- /probe resolve "server.$NS.svc.cluster.local" 2>/dev/null)" == "$svc_ip" ]]; }
cat <<YAML | k apply -f - >/dev/null
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-deny-egress, namespace: $NS}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
YAML
retry 30 bash -c "[[ \"\$(kubectl -n '$NS' exec client -- /probe resolve 'server.$NS.svc.cluster.local' 2>/dev/null)\" != '$svc_ip' ]]" \
  || fail "egress default-deny did not block DNS"
ok "egress default-deny blocks DNS"
cat <<YAML | k apply -f - >/dev/null
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-allow-dns, namespace: $NS}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
YAML
retry 30 resolves || fail "egress to k8s-app=kube-dns in kube-system on 53 did not allow DNS"
connects "$server_ip:8080" && fail "with only DNS egress allowed, client -> server:8080 still connects"
ok "egress to the kube-dns pods allows DNS and nothing else"

summary
