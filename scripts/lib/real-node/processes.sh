# shellcheck shell=bash
# real-node processes: launching a host process in its own session and recording which process
# it is, telling later whether it still is (and why not), stopping it, and waiting for readiness.
# Sourced by scripts/real-node.

# launch NAME BINARY ARGS...: start BINARY in its own session, output to
# $STATE/logs/NAME.log, record "PID STARTTIME EXE" in $STATE/pids/NAME.
launch() {
  local name="$1" bin="$2" exe pid state_start
  shift 2
  exe="$(readlink -f "$bin")"
  setsid "$bin" "$@" </dev/null >>"$STATE/logs/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    [[ "$(proc_exe "$pid" || true)" == "$exe" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  state_start="$(proc_state_start "$pid")" || start_failed "$name exited at once"
  [[ "$(proc_exe "$pid" || true)" == "$exe" ]] || start_failed "$name did not start ($exe)"
  printf '%s %s %s\n' "$pid" "${state_start#* }" "$exe" >"$STATE/pids/$name"
  log "started $name (pid $pid)"
}

# is_ours NAME: the recorded process still runs: same PID, start time and
# executable, and its command line names the state dir.
is_ours() {
  local name="$1" pid start exe state_start
  NOT_OURS_REASON="no pid file"
  [[ -f "$STATE/pids/$name" ]] || return 1
  read -r pid start exe <"$STATE/pids/$name" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  NOT_OURS_REASON="pid $pid: no /proc entry"
  state_start="$(proc_state_start "$pid")" || return 1
  NOT_OURS_REASON="pid $pid: state/start '$state_start', recorded start $start"
  [[ "${state_start%% *}" != Z ]] || return 1
  [[ "${state_start#* }" == "$start" ]] || return 1
  NOT_OURS_REASON="pid $pid: exe '$(proc_exe "$pid" || true)', recorded $exe"
  [[ "$(proc_exe "$pid" || true)" == "$exe" ]] || return 1
  local cmdline
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  NOT_OURS_REASON="pid $pid: command line '${cmdline:0:200}' does not name $STATE"
  [[ "$cmdline" == *"$STATE"* ]]
}

recorded_pid() { local pid _; read -r pid _ <"$STATE/pids/$1"; printf '%s' "$pid"; }

# stop_proc NAME: SIGTERM, SIGKILL after 15s, only if it is still ours.
stop_proc() {
  local c="$1" pid
  [[ -f "$STATE/pids/$c" ]] || return 0
  pid="$(recorded_pid "$c")"
  if ! is_ours "$c"; then
    log "$c (pid $pid) is not running"
    return 0
  fi
  end_process "$c" "$pid" is_ours "$c"
}

# wait_for SECONDS WHAT CMD...: retry CMD every second until it succeeds;
# give up when a started process has exited or after SECONDS.
wait_for() {
  local timeout="$1" what="$2" start=$SECONDS c misses=0 missing
  shift 2
  until "$@" >/dev/null 2>&1; do
    # A process counts as exited after five looks in a row, a second apart: on a loaded
    # machine a just-started kubelet (a 90 MB binary still paging in) was reported gone while it
    # was starting, and start gave up on a kubelet that logged its first line two seconds later.
    missing=""
    for c in "${PROCS[@]}"; do
      if [[ -f "$STATE/pids/$c" ]] && ! is_ours "$c"; then missing="$c"; log "$c looks gone ($NOT_OURS_REASON)"; fi
    done
    if [[ -n "$missing" ]]; then
      misses=$((misses + 1))
      if ((misses >= 5)); then
        log "$missing exited while waiting for $what"
        return 1
      fi
    else
      misses=0
    fi
    if ((SECONDS - start >= timeout)); then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 1
  done
  log "$what: ok ($((SECONDS - start))s)"
}
