# shellcheck shell=bash
# real-node host state: what start records of the host (sysctls, iptables, ipsets, kernel
# modules, links, mounts) and stop puts back, and the comparison of two records.
# Sourced by scripts/real-node.

iptables_tools() {
  local t
  for t in iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy; do
    command -v "$t-save" >/dev/null 2>&1 && printf '%s\n' "$t"
  done
}

# Normalized iptables-save: no comments, no counters (they move on their own).
iptables_dump() {
  "$1-save" 2>/dev/null | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//' || true
}

mount_points() { awk '{gsub(/\\040/, " ", $5); print $5}' /proc/self/mountinfo; }

# mounted_under PATH: true when PATH or anything below it is a mount point.
# (No `| grep -q` with pipefail: an early exit can turn a match into failure.)
mounted_under() {
  awk -v p="$1" '{gsub(/\\040/, " ", $5)} $5 == p || index($5, p "/") == 1 {found = 1} END {exit !found}' /proc/self/mountinfo
}

link_names() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort; }

snapshot_host() {
  local out="$1" t
  mkdir -p "$out"
  # Every net/vm/kernel sysctl except those that move by themselves.
  sysctl -a 2>/dev/null | grep -E '^(net|vm|kernel)\.' | grep -Ev "^($VOLATILE_SYSCTLS)" | sort \
    >"$out/sysctl-all" || true
  for t in "${SYSCTLS[@]}"; do
    [[ -e "/proc/sys/${t//.//}" ]] && printf '%s=%s\n' "$t" "$(sysctl -n "$t" 2>/dev/null)"
  done >"$out/sysctls" || true
  while read -r t; do iptables_dump "$t" >"$out/$t.rules"; done < <(iptables_tools)
  if command -v nft >/dev/null 2>&1; then
    nft list tables 2>/dev/null | sort >"$out/nft-tables" || true
    nft list ruleset >"$out/nft-ruleset" 2>/dev/null || true
  fi
  ipset save 2>/dev/null | sort >"$out/ipset" || true
  ipset list -n 2>/dev/null | sort >"$out/ipset-names" || true
  if [[ -r /proc/modules ]]; then awk '{print $1}' /proc/modules | sort >"$out/modules"; else : >"$out/modules"; fi
  link_names >"$out/links"
  mount_points | sort >"$out/mounts"
  for t in "${HOST_PATHS[@]}"; do [[ -e "$t" || -L "$t" ]] && printf '%s\n' "$t"; done >"$out/paths" || true
  find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d 2>/dev/null | sort >"$out/cgroups" || true
}

restore_sysctls() {
  local orig="$STATE/host/sysctl-all" line key val now rc=0
  [[ -f "$orig" ]] || return 0
  while IFS= read -r line; do
    key="${line%% = *}"; val="${line#* = }"
    [[ -w "/proc/sys/${key//.//}" ]] || continue
    now="$(sysctl -n "$key" 2>/dev/null)" || continue
    [[ "$now" == "$val" ]] && continue
    log "restoring sysctl $key: $now -> $val"
    sysctl -q -w "$key=$val" >/dev/null 2>&1 || { log "could not restore $key"; rc=1; }
  done <"$orig"
  return "$rc"
}

# restore_iptables: give every table its recorded rules back; tables that did
# not exist at start are emptied (and, for nf_tables, deleted).
restore_iptables() {
  local t fam table orig now rc=0
  while read -r t; do
    orig="$STATE/host/$t.rules"
    [[ -f "$orig" ]] || continue
    now="$(iptables_dump "$t")"
    [[ "$now" == "$(cat "$orig")" ]] && continue
    log "restoring $t rules"
    # Tables that exist now but were not there: flush and delete chains.
    while IFS= read -r table; do
      grep -qx "\*$table" "$orig" && continue
      "$t" -w -t "$table" -F 2>/dev/null || true
      "$t" -w -t "$table" -X 2>/dev/null || true
    done < <(sed -n 's/^\*//p' <<<"$now")
    if grep -q '^\*' "$orig"; then
      "$t-restore" -w <"$orig" || { log "$t-restore failed"; rc=1; }
    fi
  done < <(iptables_tools)
  # nf_tables: delete whole tables that appeared since start (iptables-nft
  # leaves empty tables with base chains behind; kube-proxy may add its own).
  if command -v nft >/dev/null 2>&1 && [[ -f "$STATE/host/nft-tables" ]]; then
    while read -r _ fam table; do
      [[ -n "$table" ]] || continue
      grep -qx "table $fam $table" "$STATE/host/nft-tables" && continue
      log "deleting nftables table $fam $table"
      nft delete table "$fam" "$table" || rc=1
    done < <(nft list tables 2>/dev/null)
  fi
  return "$rc"
}

restore_ipsets() {
  local s rc=0
  [[ -f "$STATE/host/ipset-names" ]] || return 0
  for s in $(ipset list -n 2>/dev/null); do
    grep -qxF "$s" "$STATE/host/ipset-names" && continue
    ipset destroy "$s" 2>/dev/null || { log "could not destroy ipset $s"; rc=1; }
  done
  if [[ -s "$STATE/host/ipset" && "$(ipset save 2>/dev/null | sort)" != "$(cat "$STATE/host/ipset")" ]]; then
    log "restoring recorded ipsets"
    ipset restore -exist <"$STATE/host/ipset" || rc=1
  fi
  return "$rc"
}

# Modules we caused to load (none on a kernel without loadable modules).
restore_modules() {
  local m
  [[ -r /proc/modules && -f "$STATE/host/modules" ]] || return 0
  while IFS= read -r m; do
    grep -qxF "$m" "$STATE/host/modules" && continue
    log "unloading kernel module $m (loaded since start)"
    modprobe -r "$m" 2>/dev/null || log "could not unload $m (in use?)"
  done < <(awk '{print $1}' /proc/modules)
}

# compare_host: print what differs from the record (empty when identical).
compare_host() {
  local now="$STATE/host-now"
  rm -rf "$now"
  snapshot_host "$now"
  diff_snapshots "$STATE/host" "$now"
  rm -rf "$now"
}

# diff_snapshots A B: one line per difference, prefixed with the file name.
diff_snapshots() {
  local f
  for f in $(cd "$1" && ls); do
    [[ "$f" == nft-ruleset ]] && continue # counters move; nft-tables and *.rules cover it
    diff "$1/$f" "$2/$f" 2>&1 | grep '^[<>]' | sed "s/^/$f /" || true
  done
}
