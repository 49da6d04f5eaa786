# shellcheck shell=bash
# control-plane identities: static-token users (admin, the components, the test users
# alice, bob, carol and mallory), their kubeconfigs and users.json for the tests.
# Sourced by scripts/control-plane.

# The test users. Each line: name groups (comma separated, "-" for none).
readonly TEST_USERS=(
  "alice team-a"
  "bob team-b"
  "carol platform-admins"
  "mallory -"
)

# random_token: 32 hex characters.
random_token() { openssl rand -hex 16; }

# write_kubeconfig FILE SERVER CA USER TOKEN: a kubeconfig with a bearer token.
write_kubeconfig() {
  local file="$1" server="$2" ca="$3" user="$4" token="$5"
  write_kubeconfig_file "$file" "$server" "$ca" "$user" "    token: $token" \
    || start_failed "could not write the kubeconfig $file"
}

# write_identities DIR SERVER: tokens.csv for the API server, kubeconfigs for
# the components and users, and users.json describing the users for tests.
write_identities() {
  local dir="$1" server="$2" ca="$1/pki/ca.crt" entry name groups token json_groups g
  local admin_token kcm_token sched_token kwok_token
  admin_token="$(random_token)"; kcm_token="$(random_token)"
  sched_token="$(random_token)"; kwok_token="$(random_token)"
  mkdir -p "$dir/users"
  (
    umask 077
    {
      printf '%s,admin,uid-admin,"system:masters"\n' "$admin_token"
      printf '%s,system:kube-controller-manager,uid-kcm\n' "$kcm_token"
      printf '%s,system:kube-scheduler,uid-scheduler\n' "$sched_token"
      # kwok updates status of nodes, pods and volumes and creates volumes.
      printf '%s,system:kwok-controller,uid-kwok,"system:masters"\n' "$kwok_token"
    } >"$dir/tokens.csv"
  )
  write_kubeconfig "$dir/kubeconfig" "$server" "$ca" admin "$admin_token"
  write_kubeconfig "$dir/kube-controller-manager/kubeconfig" "$server" "$ca" \
    system:kube-controller-manager "$kcm_token"
  write_kubeconfig "$dir/kube-scheduler/kubeconfig" "$server" "$ca" system:kube-scheduler "$sched_token"
  write_kubeconfig "$dir/kwok/kubeconfig" "$server" "$ca" system:kwok-controller "$kwok_token"

  local users_json=""
  for entry in "${TEST_USERS[@]}"; do
    read -r name groups <<<"$entry"
    token="$(random_token)"
    json_groups=""
    if [[ "$groups" == "-" ]]; then
      printf '%s,%s,uid-%s\n' "$token" "$name" "$name" >>"$dir/tokens.csv"
    else
      printf '%s,%s,uid-%s,"%s"\n' "$token" "$name" "$name" "$groups" >>"$dir/tokens.csv"
      local IFS=,
      for g in $groups; do json_groups+="${json_groups:+, }\"$g\""; done
      unset IFS
    fi
    write_kubeconfig "$dir/users/$name.kubeconfig" "$server" "$ca" "$name" "$token"
    users_json+="${users_json:+,
}    \"$name\": {\"name\": \"$name\", \"token\": \"$token\", \"groups\": [$json_groups], \"kubeconfig\": \"$dir/users/$name.kubeconfig\"}"
  done
  cat >"$dir/users.json" <<JSON
{
  "version": "$K8S_VERSION",
  "server": "$server",
  "caFile": "$ca",
  "kubeconfig": "$dir/kubeconfig",
  "binDir": "$BIN_DIR",
  "admin": {"name": "admin", "token": "$admin_token", "groups": ["system:masters"], "kubeconfig": "$dir/kubeconfig"},
  "users": {
$users_json
  }
}
JSON
  chmod 600 "$dir/users.json"
}
