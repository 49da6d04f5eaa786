# shellcheck shell=bash
# Process helpers shared by scripts/control-plane and scripts/real-node: a long command with a
# progress line, and what /proc says of a pid (state, start time, executable), which is how both
# tell that a recorded pid is still the process they started. The caller defines log.

# run_with_progress LABEL CMD...: run CMD, printing elapsed time every 30s.
run_with_progress() {
  local label="$1"; shift
  local start=$SECONDS pid rc=0
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "  ... $label: $((SECONDS - start))s elapsed"
    fi
  done
  wait "$pid" || rc=$?
  return "$rc"
}

# proc_state_start PID: print "STATE STARTTIME" from /proc/PID/stat (fields 3, 22).
proc_state_start() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  # The command name (field 2) may contain spaces: cut after the last ')'.
  stat="${stat##*) }"
  # shellcheck disable=SC2086 # split into the stat fields
  set -- $stat
  printf '%s %s\n' "$1" "${20}"
}

# proc_exe PID: the executable of PID (without a " (deleted)" suffix).
proc_exe() {
  local exe
  exe="$(readlink "/proc/$1/exe" 2>/dev/null)" || return 1
  printf '%s' "${exe% (deleted)}"
}

# end_process LABEL PID STILL_OURS...: SIGTERM to PID, SIGKILL if it is still running after 15s;
# fails if it is still running 10s later. STILL_OURS is a command that succeeds while PID is
# still the process the caller started (a reused pid is never signalled again).
end_process() {
  local label="$1" pid="$2" t0=$SECONDS killed=""
  shift 2
  log "stopping $label (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  while "$@"; do
    if [[ -z "$killed" ]] && ((SECONDS - t0 >= 15)); then
      log "$label (pid $pid) ignored SIGTERM for 15s: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      killed=yes
    elif ((SECONDS - t0 >= 25)); then
      log "$label (pid $pid) is still running after SIGKILL"
      return 1
    fi
    sleep 0.1
  done
}
