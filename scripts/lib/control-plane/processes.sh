# shellcheck shell=bash
# control-plane processes: free ports, launching a component in its own session and
# recording which process it is, telling later whether a recorded pid is still that process, and
# waiting for readiness. Sourced by scripts/control-plane.

# pick_ports N: print N distinct free TCP ports on 127.0.0.1, chosen at
# random below the ephemeral range so outgoing connections do not take them.
pick_ports() {
  local n="$1" used=" " chosen=" " p count=0 tries=0 out=()
  if command -v ss >/dev/null 2>&1; then
    used=" $(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\n' ' ') "
  fi
  while ((count < n)); do
    ((tries++ < 1000)) || die "could not find $n free ports"
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ "$used" == *" $p "* || "$chosen" == *" $p "* ]] && continue
    # Probe: a successful connect means something listens there.
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    chosen+="$p "
    out+=("$p")
    count=$((count + 1))
  done
  printf '%s\n' "${out[@]}"
}

# launch DIR NAME BINARY ARGS...: start BINARY in its own session with output
# to DIR/logs/NAME.log, and record "PID STARTTIME EXE" in DIR/pids/NAME so
# that stop can later tell it is still the same process.
launch() {
  local dir="$1" name="$2" bin="$3" exe pid state_start
  shift 3
  exe="$(readlink -f "$bin")"
  setsid "$bin" "$@" </dev/null >>"$dir/logs/$name.log" 2>&1 &
  pid=$!
  # Wait until the child has exec'd the binary (not setsid any more).
  for _ in $(seq 1 100); do
    [[ "$(proc_exe "$pid" || true)" == "$exe" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  state_start="$(proc_state_start "$pid")" || fail_start "$dir" "$name exited at once"
  [[ "$(proc_exe "$pid" || true)" == "$exe" ]] || fail_start "$dir" "$name did not start ($exe)"
  printf '%s %s %s\n' "$pid" "${state_start#* }" "$exe" >"$dir/pids/$name"
  log "started $name (pid $pid)"
}

# is_ours DIR NAME: true when the process recorded for NAME is still running
# and still the same process: same PID, same start time, same executable, and
# a command line that names DIR.
is_ours() {
  local dir="$1" name="$2" pid start exe state_start
  [[ -f "$dir/pids/$name" ]] || return 1
  read -r pid start exe <"$dir/pids/$name" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state_start="$(proc_state_start "$pid")" || return 1
  [[ "${state_start%% *}" != Z ]] || return 1
  [[ "${state_start#* }" == "$start" ]] || return 1
  [[ "$(proc_exe "$pid" || true)" == "$exe" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir" || return 1
  return 0
}

recorded_pid() { local pid _; read -r pid _ <"$1/pids/$2"; printf '%s' "$pid"; }

# wait_for DIR SECONDS WHAT CMD...: retry CMD every 0.5s until it succeeds;
# give up at once when one of the started components has exited.
wait_for() {
  local dir="$1" timeout="$2" what="$3" start=$SECONDS c
  shift 3
  until "$@" >/dev/null 2>&1; do
    for c in "${COMPONENTS[@]}"; do
      if [[ -f "$dir/pids/$c" ]] && ! is_ours "$dir" "$c"; then
        log "$c exited while waiting for $what"
        return 1
      fi
    done
    if ((SECONDS - start >= timeout)); then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
  log "$what: ok ($((SECONDS - start))s)"
}
