# shellcheck shell=bash
# real-node start: everything in order (host snapshot, certificates, runtime, kubelet,
# kube-proxy, kube-router, CoreDNS), undoing a half-done start. Sourced by scripts/real-node.

start_failed() {
  local f
  log "start failed: $*"
  for f in "$STATE"/logs/*.log; do
    [[ -f "$f" ]] || continue
    log "---- last lines of $f"
    tail -n 15 "$f" >&2 || true
  done
  exit 1
}

on_start_exit() {
  local rc=$?
  if [[ -n "$STARTING" ]]; then
    STARTING=""
    log "start did not finish (exit $rc): stopping what was started"
    cleanup_node keep-logs || true
  fi
}

# pick_ports N: N distinct free TCP ports (probed on 127.0.0.1 and the node IP).
pick_ports() {
  local n="$1" used p count=0 tries=0 out=()
  used=" $(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\n' ' ') "
  while ((count < n)); do
    ((tries++ < 1000)) || die "could not find $n free ports"
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ "$used" == *" $p "* ]] && continue
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    used+="$p "
    out+=("$p")
    count=$((count + 1))
  done
  printf '%s\n' "${out[@]}"
}

node_ready() {
  [[ "$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

coredns_ready() {
  [[ "$(kc -n kube-system get deploy coredns -o 'jsonpath={.status.readyReplicas}' 2>/dev/null)" -ge 1 ]]
}

dns_resolves() {
  [[ "$(dig +short +time=2 +tries=1 "@$CLUSTER_DNS" "kubernetes.default.svc.$CLUSTER_DOMAIN" A 2>/dev/null)" == "10.96.0.1" ]]
}

krouter_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$KROUTER_HEALTH_PORT/healthz" >/dev/null; }

# load_cp DIR: read what we need from the control plane in DIR.
load_cp() {
  CP_DIR="$(cd "$1" && pwd -P)" || die "no control plane dir $1"
  STATE="$CP_DIR/real-node"
  CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
}

cmd_start() {
  local cp=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --cp-dir) cp="${2:?--cp-dir needs a value}"; shift 2 ;;
      *) die "start: unknown argument '$1'" ;;
    esac
  done
  [[ -n "$cp" ]] || die "start: --cp-dir DIR is required"
  [[ $EUID -eq 0 ]] || die "a real node needs root (cgroups, mounts, iptables)"
  load_cp "$cp"
  [[ -f "$CP_DIR/.notebook-platform-control-plane" ]] || die "$CP_DIR holds no control plane"
  [[ -f "$CP_DIR/real-node-ip" ]] \
    || die "the control plane in $CP_DIR was not started with --real-node (its API server is not reachable from pods)"
  NODE_IP="$(cat "$CP_DIR/real-node-ip")"
  # shellcheck disable=SC2034 # read by write_certs (certs.sh)
  API_SERVER="$(jq -r .server "$CP_DIR/users.json")"
  local t0=$SECONDS

  cmd_build

  # One real node per host: a stale one (crashed start, no stop) is stopped first.
  if [[ -f "$ACTIVE_FILE" ]]; then
    local other
    other="$(cat "$ACTIVE_FILE")"
    if [[ -f "$other/$MARKER" ]]; then
      local saved_state="$STATE" saved_cp="$CP_DIR" c running=""
      STATE="$other"
      for c in "${PROCS[@]}"; do is_ours "$c" && running=yes; done
      if [[ -n "$running" && "$other" != "$saved_state" ]]; then
        die "a real node is already running in $other (stop it first: $0 stop --cp-dir ${other%/real-node})"
      fi
      STATE="$saved_state"; CP_DIR="$saved_cp"
      [[ -n "$running" ]] && die "a real node is already running in $other"
      log "cleaning up a real node left behind in $other"
      "$SELF" stop --cp-dir "${other%/real-node}" || die "could not clean up $other"
    fi
    rm -f "$ACTIVE_FILE"
  fi
  if [[ -e "$STATE" ]]; then
    [[ -f "$STATE/$MARKER" ]] || die "$STATE exists and is not a real node's state dir"
    log "cleaning up the real node left behind in $STATE"
    "$SELF" stop --cp-dir "$CP_DIR" || die "could not clean up $STATE"
  fi
  ((${#CONTAINERD_SOCK} < 100)) || die "state dir path too long for a unix socket: $CONTAINERD_SOCK"

  mkdir -p "$STATE"
  touch "$STATE/$MARKER"
  printf '%s\n' "$STATE" >"$ACTIVE_FILE"
  STARTING=yes
  trap on_start_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  # Before anything changes: the host as it is now.
  snapshot_host "$STATE/host"
  mkdir -p "$STATE"/{logs,pids,kubelet,kube-proxy,kube-router}
  log "starting real node $NODE_NAME ($NODE_IP) in $STATE"

  local ports
  ports="$(pick_ports 5)"
  # shellcheck disable=SC2034 # the ports are read by the configuration writers (node-config.sh)
  read -r KUBELET_PORT KUBELET_HEALTHZ_PORT PROXY_HEALTHZ_PORT PROXY_METRICS_PORT KROUTER_HEALTH_PORT \
    <<<"$(tr '\n' ' ' <<<"$ports")"

  write_certs
  write_containment
  setup_cgroups
  SNAPSHOTTER="$(pick_snapshotter)"
  ensure_pause_built
  write_containerd_config
  write_cni_config
  log "containerd: snapshotter $SNAPSHOTTER"
  launch containerd "$(command -v containerd)" --config "$STATE/containerd/config.toml" --log-level warn
  wait_for 30 "containerd" ctr_ version || start_failed "containerd did not answer"
  import_images

  write_manifests
  kc apply -f "$STATE/manifests/rbac.yaml" >/dev/null || start_failed "could not create the node's RBAC"

  write_kubelet_config
  launch kubelet "$NODE_K8S_DIR/bin/kubelet" \
    --config="$STATE/kubelet/config.yaml" \
    --kubeconfig="$STATE/kubelet/kubeconfig" \
    --root-dir="$STATE/kubelet/root" \
    --cert-dir="$STATE/kubelet/pki" \
    --hostname-override="$NODE_NAME" \
    --node-ip="$NODE_IP" \
    --node-labels="type=real,notebook-platform.io/real-node=true"
  wait_for 90 "node $NODE_NAME registered" kc get node "$NODE_NAME" || start_failed "the kubelet did not register"
  # kube-router and kube-proxy read the pod range of the node.
  kc patch node "$NODE_NAME" --type=merge -p "{\"spec\":{\"podCIDR\":\"$POD_CIDR\",\"podCIDRs\":[\"$POD_CIDR\"]}}" >/dev/null \
    || log "could not set podCIDR on $NODE_NAME (already set?)"

  write_kube_proxy_config
  launch kube-proxy "$NODE_K8S_DIR/bin/kube-proxy" --config="$STATE/kube-proxy/config.yaml"

  launch kube-router "$KROUTER_DIR/bin/kube-router" \
    --kubeconfig="$STATE/kube-router/kubeconfig" \
    --hostname-override="$NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --health-port="$KROUTER_HEALTH_PORT" --metrics-port=0 \
    --iptables-sync-period=1m --enable-ipv6=false --enable-ipv4=true

  wait_for 120 "node $NODE_NAME Ready" node_ready || start_failed "$NODE_NAME did not become Ready"
  wait_for 60 "kube-proxy healthz" curl -sf --max-time 2 "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz" \
    || start_failed "kube-proxy did not become healthy"
  wait_for 60 "kube-router healthz" krouter_healthy || start_failed "kube-router did not become healthy"

  kc apply -f "$STATE/manifests/coredns.yaml" >/dev/null || start_failed "could not create CoreDNS"
  wait_for 120 "CoreDNS Ready" coredns_ready || start_failed "CoreDNS did not become Ready"
  wait_for 60 "kubernetes.default.svc.$CLUSTER_DOMAIN resolves through $CLUSTER_DNS" dns_resolves \
    || start_failed "CoreDNS does not resolve kubernetes.default through the kube-dns Service"

  # Every image in containerd by name (scripts/images list: pause, notebook,
  # ..., coredns, probe) for tests that create pods.
  "$IMAGES_TOOL" list >"$STATE/images.json"
  cat >"$STATE/env" <<ENV
export NOTEBOOK_PLATFORM_REAL_NODE="$NODE_NAME"
export NOTEBOOK_PLATFORM_REAL_NODE_IP="$NODE_IP"
export NOTEBOOK_PLATFORM_REAL_NODE_DIR="$STATE"
export NOTEBOOK_PLATFORM_REAL_NODE_CONTAINERD="$CONTAINERD_SOCK"
export NOTEBOOK_PLATFORM_REAL_NODE_POD_CIDR="$POD_CIDR"
export NOTEBOOK_PLATFORM_REAL_NODE_IMAGES="$STATE/images.json"
export NOTEBOOK_PLATFORM_REAL_NODE_PROBE_IMAGE="$PROBE_REF"
export NOTEBOOK_PLATFORM_CLUSTER_DNS="$CLUSTER_DNS"
ENV
  STARTING=""
  trap - EXIT INT TERM HUP
  log "real node $NODE_NAME ready in $((SECONDS - t0))s (stop with: $0 stop --cp-dir $CP_DIR)"
  cat "$STATE/env"
}
