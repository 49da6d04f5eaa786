# shellcheck shell=bash
# real-node stop and status: ends every container, shim and process of the node, unmounts and
# removes its state and puts the host back as start found it; status reports them.
# Sourced by scripts/real-node.

# Processes whose command line names our containerd socket (the runc shims:
# they leave containerd's process tree).
our_shims() {
  local p
  for p in /proc/[0-9]*; do
    [[ "$(proc_exe "${p#/proc/}" 2>/dev/null || true)" == *containerd-shim* ]] || continue
    [[ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" == *"-address $CONTAINERD_SOCK "* ]] && printf '%s\n' "${p#/proc/}"
  done
  return 0
}

# Processes in our cgroup tree (the pods' containers).
cgroup_pids() {
  local mnt
  [[ -f "$STATE/cgroup-mounts" ]] || return 0
  while read -r mnt; do
    [[ -d "$mnt/$CGROUP_NAME" ]] || continue
    find "$mnt/$CGROUP_NAME" -name cgroup.procs -exec cat {} + 2>/dev/null
  done <"$STATE/cgroup-mounts" | sort -u
}

kill_containers() {
  local ids id pids
  # Ask containerd first (clean task exits), then kill what is left.
  if is_ours containerd; then
    ids="$(ctr_ tasks ls -q 2>/dev/null || true)"
    for id in $ids; do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    for _ in $(seq 1 20); do
      [[ -z "$(cgroup_pids)" ]] && break
      sleep 0.5
    done
    for id in $ids; do ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true; done
  fi
  for _ in $(seq 1 20); do
    pids="$(cgroup_pids)"
    [[ -z "$pids" ]] && break
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null || true
    sleep 0.5
  done
  [[ -z "$(cgroup_pids)" ]] || log "processes left in the node's cgroups: $(cgroup_pids | tr '\n' ' ')"
}

kill_shims() {
  local pids
  for _ in $(seq 1 20); do
    pids="$(our_shims)"
    [[ -z "$pids" ]] && return 0
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null || true
    sleep 0.25
  done
  log "shims still running: $(our_shims | tr '\n' ' ')"
  return 1
}

# Unmount everything under the state dir, deepest first.
unmount_state() {
  local m left
  for _ in 1 2 3; do
    left=""
    while IFS= read -r m; do
      [[ "$m" == "$STATE"/* ]] || continue
      left=yes
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
    done < <(mount_points | awk '{print length, $0}' | sort -rn | cut -d' ' -f2-)
    [[ -z "$left" ]] && return 0
  done
  ! mounted_under "$STATE"
}

remove_cgroups() {
  local mnt
  [[ -f "$STATE/cgroup-mounts" ]] || return 0
  while read -r mnt; do
    [[ -d "$mnt/$CGROUP_NAME" ]] || continue
    find "$mnt/$CGROUP_NAME" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    [[ -d "$mnt/$CGROUP_NAME" ]] && log "could not remove cgroup $mnt/$CGROUP_NAME"
  done <"$STATE/cgroup-mounts"
  return 0
}

remove_links() {
  local l
  for l in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
    ip link del "$l" 2>/dev/null || true
  done
  ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE"
  # Our pods' veths are on the bridge or went away with their netns; any
  # other new link is someone else's.
  if [[ -f "$STATE/host/links" ]]; then
    for l in $(link_names); do
      grep -qxF "$l" "$STATE/host/links" || log "new link $l is not ours: left alone"
    done
  fi
}

# Host paths the components created outside the state dir.
remove_host_paths() {
  local p
  [[ -f "$STATE/host/paths" ]] || return 0
  # Links of our pods' logs, in a directory that may be shared.
  if [[ -d /var/log/containers ]]; then
    find /var/log/containers -maxdepth 1 -type l -lname "$STATE/*" -delete 2>/dev/null || true
  fi
  if [[ -d /var/lib/cni/results ]]; then
    find /var/lib/cni/results -maxdepth 1 -name "$CNI_NET-*" -delete 2>/dev/null || true
  fi
  for p in "${HOST_PATHS[@]}"; do
    grep -qxF "$p" "$STATE/host/paths" && continue
    [[ -e "$p" || -L "$p" ]] || continue
    # A containerd of someone else may have created /run/containerd meanwhile.
    if [[ "$p" == /run/containerd ]] && pgrep -x containerd >/dev/null 2>&1; then
      log "another containerd runs: leaving $p"
      continue
    fi
    if mounted_under "$p"; then log "$p has mounts: left in place"; continue; fi
    log "removing $p (created while the node ran)"
    rm -rf --one-file-system "$p"
  done
}

# cleanup_node [keep-logs]: end everything the node started and restore the
# host. Safe to run on a partial start or twice.
cleanup_node() {
  local keep="${1:-}" rc=0 c diffs
  [[ -d "$STATE" ]] || { log "$STATE does not exist: nothing to stop"; return 0; }
  [[ -f "$STATE/$MARKER" ]] || die "$STATE holds no real node (no $MARKER): refusing to touch it"
  log "stopping real node in $STATE"
  stop_proc kube-router || rc=1
  stop_proc kube-proxy || rc=1
  stop_proc kubelet || rc=1
  # Then the Node object (a running kubelet would register it again), so
  # nothing more is scheduled onto a dead node.
  if [[ -n "$CP_DIR" && -f "$CP_DIR/kubeconfig" ]]; then
    kc delete node "$NODE_NAME" --wait=false >/dev/null 2>&1 || true
  fi
  kill_containers
  stop_proc containerd || rc=1
  kill_shims || rc=1
  unmount_state || rc=1
  remove_cgroups
  remove_links
  restore_iptables || rc=1
  restore_ipsets || rc=1
  restore_sysctls || rc=1
  restore_modules
  remove_host_paths
  # What still differs was either not ours to restore or changed by someone
  # else meanwhile (this host is shared): reported, kept in the logs, and not
  # a failure of stop. A test takes its own snapshots (snapshot/diff) to judge.
  if [[ -d "$STATE/host" ]]; then
    diffs="$(compare_host)"
    if [[ -n "$diffs" ]]; then
      log "warning: the host differs from its state at start (saved in $CACHE_ROOT/logs/real-node-host-diff.txt):"
      printf '%s\n' "$diffs" | sed 's/^/    /' >&2
      mkdir -p "$CACHE_ROOT/logs"
      printf '%s\n' "$diffs" >"$CACHE_ROOT/logs/real-node-host-diff.txt"
    else
      rm -f "$CACHE_ROOT/logs/real-node-host-diff.txt"
      log "host state matches the record taken at start (sysctls, iptables, ipsets, links, mounts, paths, cgroups)"
    fi
  fi
  for c in "${PROCS[@]}"; do
    is_ours "$c" && { log "$c is still running"; rc=1; }
  done
  if ((rc != 0)); then
    log "stop was not clean: keeping $STATE for inspection"
    return 1
  fi
  if mounted_under "$STATE"; then
    log "mounts remain under $STATE: not removing it"
    return 1
  fi
  if [[ "$keep" == keep-logs ]]; then
    find "$STATE" -mindepth 1 -maxdepth 1 ! -name logs ! -name host-diff ! -name "$MARKER" \
      -exec rm -rf --one-file-system {} +
  else
    rm -rf --one-file-system "$STATE"
  fi
  if [[ -f "$ACTIVE_FILE" && "$(cat "$ACTIVE_FILE")" == "$STATE" ]]; then rm -f "$ACTIVE_FILE"; fi
  log "stopped the real node"
}

cmd_stop() {
  local cp="" keep=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --cp-dir) cp="${2:?--cp-dir needs a value}"; shift 2 ;;
      --keep-logs) keep="keep-logs"; shift ;;
      *) die "stop: unknown argument '$1'" ;;
    esac
  done
  [[ -n "$cp" ]] || cp="${NOTEBOOK_PLATFORM_CP_DIR:-}"
  if [[ -z "$cp" && -f "$ACTIVE_FILE" ]]; then cp="$(dirname "$(cat "$ACTIVE_FILE")")"; fi
  [[ -n "$cp" ]] || die "stop: --cp-dir DIR is required"
  if [[ ! -d "$cp" ]]; then log "$cp does not exist: nothing to stop"; return 0; fi
  load_cp "$cp"
  cleanup_node "$keep"
}

cmd_status() {
  local cp="" c rc=0 ready
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --cp-dir) cp="${2:?--cp-dir needs a value}"; shift 2 ;;
      *) die "status: unknown argument '$1'" ;;
    esac
  done
  [[ -n "$cp" ]] || cp="${NOTEBOOK_PLATFORM_CP_DIR:-}"
  if [[ -z "$cp" && -f "$ACTIVE_FILE" ]]; then cp="$(dirname "$(cat "$ACTIVE_FILE")")"; fi
  [[ -n "$cp" && -d "$cp" ]] || die "status: no control plane dir (pass --cp-dir DIR)"
  load_cp "$cp"
  [[ -f "$STATE/$MARKER" ]] || { printf 'real node: none in %s\n' "$CP_DIR"; return 1; }
  printf 'real node %s: %s\n' "$NODE_NAME" "$STATE"
  for c in "${PROCS[@]}"; do
    if is_ours "$c"; then
      printf '  %-14s running  pid %s\n' "$c" "$(recorded_pid "$c")"
    else
      printf '  %-14s STOPPED\n' "$c"
      rc=1
    fi
  done
  ready="$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)"
  printf '  node Ready: %s\n' "${ready:-unknown}"
  [[ "$ready" == True ]] || rc=1
  printf '  coredns ready replicas: %s\n' \
    "$(kc -n kube-system get deploy coredns -o 'jsonpath={.status.readyReplicas}' 2>/dev/null || echo unknown)"
  return "$rc"
}
