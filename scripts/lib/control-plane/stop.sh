# shellcheck shell=bash
# control-plane stop and status: ends exactly the processes start recorded (still the
# same process: pid, start time, executable, command line), then removes what start wrote;
# status reports them and the API's health. Sourced by scripts/control-plane.

# resolve_dir [DIR]: the state dir for stop/status: --dir, else
# $NOTEBOOK_PLATFORM_CP_DIR (set by DIR/env), else the last one started.
resolve_dir() {
  local dir="${1:-${NOTEBOOK_PLATFORM_CP_DIR:-}}"
  if [[ -z "$dir" && -f "$CACHE_ROOT/last-dir" ]]; then
    dir="$(cat "$CACHE_ROOT/last-dir")"
  fi
  [[ -n "$dir" ]] || die "no control plane dir: pass --dir DIR"
  printf '%s' "$dir"
}

# stop_component DIR NAME: end the process recorded for NAME if it is still
# the one start launched (see is_ours); SIGTERM, then SIGKILL after 15s.
stop_component() {
  local dir="$1" c="$2" pid
  [[ -f "$dir/pids/$c" ]] || return 0
  pid="$(recorded_pid "$dir" "$c")"
  if ! is_ours "$dir" "$c"; then
    if [[ -r "/proc/$pid/stat" && "$(proc_state_start "$pid" | cut -d' ' -f1)" != Z ]]; then
      log "$c: pid $pid is now a different process: leaving it alone"
    else
      log "$c (pid $pid) had already exited"
    fi
    return 0
  fi
  # The watchdog runs stop itself: do not end our own process.
  [[ "$pid" == "$$" ]] && return 0
  end_process "$c" "$pid" is_ours "$dir" "$c"
}

# stop_dir DIR [keep-logs]: end the recorded processes, then remove the state.
stop_dir() {
  local dir="$1" keep="${2:-}" i rc=0
  [[ -d "$dir" ]] || { log "$dir does not exist: nothing to stop"; return 0; }
  [[ -f "$dir/$MARKER" ]] || die "$dir holds no control plane (no $MARKER): refusing to touch it"
  # The watchdog first (so it does not call stop too), then the components
  # one by one in reverse start order: clients before the API server, the
  # API server before etcd.
  stop_component "$dir" watchdog || rc=1
  # The real node first: its kubelet and pods go while the API is still up.
  if [[ -f "$dir/real-node/.notebook-platform-real-node" ]]; then
    "$SCRIPT_DIR/real-node" stop --cp-dir "$dir" ${keep:+--keep-logs} || rc=1
  fi
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "$dir" "${COMPONENTS[$i]}" || rc=1
  done
  if ((rc != 0)); then
    log "some processes would not exit: keeping $dir"
    return 1
  fi
  local e
  for e in "${STATE_ENTRIES[@]}"; do
    [[ "$keep" == keep-logs && ( "$e" == logs || "$e" == "$MARKER" ) ]] && continue
    rm -rf "${dir:?}/$e"
  done
  if [[ "$keep" != keep-logs ]]; then
    rmdir "$dir" 2>/dev/null || log "left $dir in place: it holds files start did not create"
  fi
  if [[ -f "$CACHE_ROOT/last-dir" && "$(cat "$CACHE_ROOT/last-dir")" == "$dir" ]]; then
    rm -f "$CACHE_ROOT/last-dir"
  fi
  log "stopped the control plane in $dir"
}

cmd_stop() {
  local dir="" keep=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir) dir="${2:?--dir needs a value}"; shift 2 ;;
      --keep-logs) keep="keep-logs"; shift ;;

      *) die "stop: unknown argument '$1'" ;;
    esac
  done
  dir="$(resolve_dir "$dir")"
  stop_dir "$dir" "$keep"
}

cmd_status() {
  local dir=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir) dir="${2:?--dir needs a value}"; shift 2 ;;
      *) die "status: unknown argument '$1'" ;;
    esac
  done
  dir="$(resolve_dir "$dir")"
  [[ -f "$dir/$MARKER" ]] || die "$dir holds no control plane"
  local c rc=0 port
  printf 'dir: %s\n' "$dir"
  for c in "${COMPONENTS[@]}" watchdog; do
    [[ -f "$dir/pids/$c" ]] || continue
    port="$(sed -n "s/^$c=//p" "$dir/ports" 2>/dev/null || true)"
    if is_ours "$dir" "$c"; then
      printf '%-24s running  pid %-8s %s\n' "$c" "$(recorded_pid "$dir" "$c")" "${port:+port $port}"
    else
      printf '%-24s STOPPED  pid %-8s\n' "$c" "$(recorded_pid "$dir" "$c")"
      rc=1
    fi
  done
  if kc "$dir" get --raw /readyz >/dev/null 2>&1; then
    printf 'apiserver /readyz: ok (%s)\n' "$(sed -n 's/.*"server": "\(.*\)".*/\1/p' "$dir/users.json")"
    kc "$dir" get nodes -o wide 2>/dev/null | sed 's/^/  /'
  else
    printf 'apiserver /readyz: not ready\n'
    rc=1
  fi
  if [[ -f "$dir/real-node/.notebook-platform-real-node" ]]; then
    "$SCRIPT_DIR/real-node" status --cp-dir "$dir" || rc=1
  fi
  return "$rc"
}
