# shellcheck shell=bash
# control-plane start: certificates, identities and manifests written, then etcd, the API
# server, the controller manager, the scheduler and kwok launched in order and waited for, an
# optional real node, the env file, and the watchdog that stops everything when its owner exits.
# Sourced by scripts/control-plane.

# When start fails, say why (tails of the logs) and undo what it did.
START_DIR=""
fail_start() {
  local dir="$1" f
  shift
  log "start failed: $*"
  for f in "$dir"/logs/*.log; do
    [[ -f "$f" ]] || continue
    log "---- last lines of $f"
    tail -n 15 "$f" >&2 || true
  done
  START_DIR=""
  stop_dir "$dir" keep-logs
  log "logs kept in $dir/logs"
  exit 1
}

on_start_exit() {
  local rc=$?
  if [[ -n "$START_DIR" ]]; then
    START_DIR_FAILED="$START_DIR"
    START_DIR=""
    log "start interrupted (exit $rc); stopping what was started"
    stop_dir "$START_DIR_FAILED" keep-logs || true
  fi
}

http_ok() { curl -ksf --max-time 2 "$1" >/dev/null; }

nodes_ready() {
  local out
  out="$(kc "$1" get nodes -l type=kwok \
    -o 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}')" || return 1
  [[ "$(grep -c '^True$' <<<"$out")" -eq 3 ]]
}

# node_ip: the IPv4 address of the interface of the default route (override
# with NOTEBOOK_PLATFORM_NODE_IP).
node_ip() {
  local dev ip
  if [[ -n "${NOTEBOOK_PLATFORM_NODE_IP:-}" ]]; then printf '%s' "$NOTEBOOK_PLATFORM_NODE_IP"; return; fi
  dev="$(ip -4 -o route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')"
  [[ -n "$dev" ]] || return 1
  ip="$(ip -4 -o addr show dev "$dev" scope global 2>/dev/null | awk '{print $4; exit}')"
  [[ -n "$ip" ]] || return 1
  printf '%s' "${ip%/*}"
}

cmd_start() {
  local dir="" owner_pid="" real_node="" node_addr=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir) dir="${2:?--dir needs a value}"; shift 2 ;;
      --owner-pid) owner_pid="${2:?--owner-pid needs a value}"; shift 2 ;;
      --real-node) real_node=yes; shift ;;
      *) die "start: unknown argument '$1'" ;;
    esac
  done
  local t0=$SECONDS
  cmd_build
  if [[ -n "$real_node" ]]; then
    node_addr="$(node_ip)" || die "--real-node: no IPv4 address on the default route's interface (set NOTEBOOK_PLATFORM_NODE_IP)"
    # Build the node's pieces before anything starts (a cold build is long).
    "$SCRIPT_DIR/real-node" build || die "building the real node failed"
  fi

  if [[ -z "$dir" ]]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/notebook-platform-cp.XXXXXX")"
  else
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd -P)"
    if [[ -f "$dir/$MARKER" ]]; then
      local c
      for c in "${COMPONENTS[@]}" watchdog; do
        is_ours "$dir" "$c" && die "a control plane is already running in $dir (stop it first)"
      done
      stop_dir "$dir"
      mkdir -p "$dir"
    elif [[ -n "$(ls -A "$dir")" ]]; then
      die "$dir is not empty and holds no control plane: refusing to use it"
    fi
  fi
  touch "$dir/$MARKER"
  START_DIR="$dir"
  trap on_start_exit EXIT
  # Turn signals into an exit, so the EXIT trap undoes a half-done start.
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  mkdir -p "$dir"/{logs,pids,etcd,kube-apiserver,kube-controller-manager,kube-scheduler,kwok}
  printf '%s\n' "$dir" >"$CACHE_ROOT/last-dir"
  log "starting control plane $K8S_VERSION in $dir"

  local ports etcd_port etcd_peer_port api_port kcm_port sched_port kwok_port
  ports="$(pick_ports 6)"
  read -r etcd_port etcd_peer_port api_port kcm_port sched_port kwok_port <<<"$(tr '\n' ' ' <<<"$ports")"
  printf 'etcd=%s\netcd-peer=%s\nkube-apiserver=%s\nkube-controller-manager=%s\nkube-scheduler=%s\nkwok=%s\n' \
    "$etcd_port" "$etcd_peer_port" "$api_port" "$kcm_port" "$sched_port" "$kwok_port" >"$dir/ports"
  local server="https://127.0.0.1:$api_port"

  write_certs "$dir" "$node_addr" || fail_start "$dir" "openssl failed"
  # Pods reach the API server through the kubernetes Service, whose endpoint
  # is the advertised address: with a real node, listen on the node IP too.
  local api_net_flags=(--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --endpoint-reconciler-type=none)
  if [[ -n "$real_node" ]]; then
    printf '%s\n' "$node_addr" >"$dir/real-node-ip"
    # shellcheck disable=SC2054 # the comma is part of the kube flag's list value
    api_net_flags=(--bind-address=0.0.0.0 --advertise-address="$node_addr"
      --kubelet-client-certificate="$dir/pki/apiserver-kubelet-client.crt"
      --kubelet-client-key="$dir/pki/apiserver-kubelet-client.key"
      --kubelet-certificate-authority="$dir/pki/ca.crt"
      --kubelet-preferred-address-types=InternalIP,Hostname)
  fi
  write_identities "$dir" "$server"
  write_kwok_config "$dir"
  write_manifests "$dir"
  local pki="$dir/pki"

  launch "$dir" etcd "$BIN_DIR/etcd" \
    --name=default --data-dir="$dir/etcd/data" \
    --listen-client-urls="http://127.0.0.1:$etcd_port" \
    --advertise-client-urls="http://127.0.0.1:$etcd_port" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster="default=http://127.0.0.1:$etcd_peer_port" \
    --unsafe-no-fsync=true --log-level=warn
  wait_for "$dir" 30 "etcd health" http_ok "http://127.0.0.1:$etcd_port/health" \
    || fail_start "$dir" "etcd did not become healthy"

  launch "$dir" kube-apiserver "$BIN_DIR/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    "${api_net_flags[@]}" --secure-port="$api_port" \
    --cert-dir="$dir/kube-apiserver" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" \
    --service-account-signing-key-file="$pki/sa.key" \
    --token-auth-file="$dir/tokens.csv" \
    --authorization-mode=Node,RBAC \
    --allow-privileged=true \
    --profiling=false
  wait_for "$dir" 90 "kube-apiserver /readyz" kc "$dir" get --raw /readyz \
    || fail_start "$dir" "kube-apiserver did not become ready"

  # The flex-volume dir: its default, /usr/libexec/kubernetes/..., would be
  # created on the host and outlive stop.
  launch "$dir" kube-controller-manager "$BIN_DIR/kube-controller-manager" \
    --kubeconfig="$dir/kube-controller-manager/kubeconfig" \
    --authentication-kubeconfig="$dir/kube-controller-manager/kubeconfig" \
    --authorization-kubeconfig="$dir/kube-controller-manager/kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$kcm_port" \
    --cert-dir="$dir/kube-controller-manager" \
    --controllers='*' --use-service-account-credentials=true \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --flex-volume-plugin-dir="$dir/kube-controller-manager/flexvolume" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --leader-elect=false --profiling=false

  launch "$dir" kube-scheduler "$BIN_DIR/kube-scheduler" \
    --kubeconfig="$dir/kube-scheduler/kubeconfig" \
    --authentication-kubeconfig="$dir/kube-scheduler/kubeconfig" \
    --authorization-kubeconfig="$dir/kube-scheduler/kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$sched_port" \
    --leader-elect=false --profiling=false

  # HOME is set so that kwok does not pick up ~/.kwok/kwok.yaml.
  HOME="$dir/kwok" launch "$dir" kwok "$BIN_DIR/kwok" \
    --kubeconfig="$dir/kwok/kubeconfig" --config="$dir/kwok/kwok.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 \
    --cidr="$POD_CIDR" --node-ip=127.0.0.1 \
    --server-address="127.0.0.1:$kwok_port"

  kc "$dir" apply -f "$dir/manifests/cluster.yaml" >/dev/null \
    || fail_start "$dir" "could not create the kwok nodes"

  wait_for "$dir" 60 "kube-controller-manager /healthz" http_ok "https://127.0.0.1:$kcm_port/healthz" \
    || fail_start "$dir" "kube-controller-manager did not become healthy"
  wait_for "$dir" 60 "kube-scheduler /healthz" http_ok "https://127.0.0.1:$sched_port/healthz" \
    || fail_start "$dir" "kube-scheduler did not become healthy"
  wait_for "$dir" 60 "kwok nodes Ready" nodes_ready "$dir" \
    || fail_start "$dir" "kwok nodes did not become Ready"
  wait_for "$dir" 60 "ServiceAccount default/default" kc "$dir" get serviceaccount default -n default \
    || fail_start "$dir" "the default ServiceAccount was not created"

  if [[ -n "$owner_pid" ]]; then
    start_watchdog "$dir" "$owner_pid"
  fi

  cat >"$dir/env" <<ENV
export KUBECONFIG="$dir/kubeconfig"
export NOTEBOOK_PLATFORM_CP_DIR="$dir"
export NOTEBOOK_PLATFORM_CP_USERS="$dir/users.json"
export NOTEBOOK_PLATFORM_CP_BIN="$BIN_DIR"
export PATH="$BIN_DIR:\$PATH"
ENV
  if [[ -n "$real_node" ]]; then
    local node_env
    node_env="$("$SCRIPT_DIR/real-node" start --cp-dir "$dir")" || fail_start "$dir" "the real node did not start"
    printf '%s\n' "$node_env" >>"$dir/env"
  fi
  START_DIR=""
  trap - EXIT INT TERM HUP
  log "control plane ready in $((SECONDS - t0))s: $server (state in $dir; stop with: $0 stop --dir $dir)"
  cat "$dir/env"
}

# The watchdog stops the control plane when the process that asked for it
# (e.g. a test runner) is gone without calling stop.
start_watchdog() {
  local dir="$1" owner="$2" owner_start
  owner_start="$(proc_state_start "$owner")" || die "--owner-pid $owner: no such process"
  owner_start="${owner_start#* }"
  setsid bash "$(readlink -f "$0")" _watch "$dir" "$owner" "$owner_start" \
    </dev/null >>"$dir/logs/watchdog.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    [[ -f "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q _watch && break
    sleep 0.05
  done
  local state_start
  state_start="$(proc_state_start "$pid")" || fail_start "$dir" "watchdog exited at once"
  printf '%s %s %s\n' "$pid" "${state_start#* }" "$(proc_exe "$pid")" >"$dir/pids/watchdog"
  log "watchdog (pid $pid) stops the control plane when pid $owner exits"
}

cmd_watch() {
  local dir="$1" owner="$2" owner_start="$3" now
  while :; do
    now="$(proc_state_start "$owner")" || break
    [[ "${now#* }" == "$owner_start" && "${now%% *}" != Z ]] || break
    [[ -f "$dir/$MARKER" ]] || exit 0
    sleep 2
  done
  log "owner pid $owner is gone: stopping the control plane in $dir"
  exec bash "$(readlink -f "$0")" stop --dir "$dir"
}
