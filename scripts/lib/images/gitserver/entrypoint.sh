#!/bin/bash
# gitserver: the test git server of the real-node end-to-end tests. Runs as uid 1000 (`git`)
# with no capabilities: smart HTTP on GIT_HTTP_PORT and sshd on GIT_SSH_PORT, each started
# only when its credentials are mounted. scripts/lib/images/README.md says what the pod must mount.
#
# Environment (defaults in brackets):
#   GIT_ROOT                      where the bare repositories live [/srv/git]
#   GIT_REPOS                     repositories to create when missing, space-separated [repo]
#                                 (each as GIT_ROOT/<name>.git, default branch main)
#   GIT_SEED_DIR                  if set, each new repository gets one commit with this dir's files
#                                 (a ConfigMap's ..data links are skipped), fixed author and date
#   GIT_HTTP_TOKEN_FILE           token file: enables HTTP (Basic auth, password = token)
#   GIT_HTTP_USER                 if set, the only user name HTTP accepts
#   GIT_HTTP_TLS_CERT_FILE, GIT_HTTP_TLS_KEY_FILE
#                                 if set, HTTPS with this certificate (chain) and key
#   GIT_HTTP_PORT                 [8080]
#   GIT_SSH_HOST_KEY_FILE         private host key file: enables sshd
#   GIT_SSH_AUTHORIZED_KEYS_FILE  authorized_keys for user git (required with the host key)
#   GIT_SSH_PORT                  [2222]
#   GITSERVER_RUN_DIR             private runtime dir (copied keys, sshd config) [/tmp/gitserver]
set -euo pipefail

log() { printf '%s gitserver: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() { log "error: $*"; exit 1; }

GIT_ROOT=${GIT_ROOT:-/srv/git}
GIT_REPOS=${GIT_REPOS:-repo}
GIT_HTTP_PORT=${GIT_HTTP_PORT:-8080}
GIT_SSH_PORT=${GIT_SSH_PORT:-2222}
RUN_DIR=${GITSERVER_RUN_DIR:-/tmp/gitserver}

[[ $(id -u) -ne 0 ]] || log "warning: running as root; the server is meant to run as uid 1000"
[[ -z "${GIT_HTTP_TOKEN_FILE:-}" && -z "${GIT_SSH_HOST_KEY_FILE:-}" ]] &&
  fail "nothing to serve: set GIT_HTTP_TOKEN_FILE (HTTP) and/or GIT_SSH_HOST_KEY_FILE (ssh)"

# Commands git runs for the server read no user or system config of ours, only the repository's.
export GIT_CONFIG_NOSYSTEM=1 HOME=${HOME:-$GIT_ROOT}

mkdir -p -- "$GIT_ROOT"
(umask 077 && mkdir -p -- "$RUN_DIR")
chmod 0700 -- "$RUN_DIR"

# seed_repo NAME: create GIT_ROOT/NAME.git unless it exists, with GIT_SEED_DIR's files.
seed_repo() {
  local bare="$GIT_ROOT/$1.git" work
  if [[ -d "$bare" ]]; then
    log "repository $bare exists; leaving it as it is"
    return
  fi
  git init -q --bare -b main "$bare.tmp"
  git -C "$bare.tmp" config http.receivepack true
  # Pushes that rewrite history are refused, so a test can prove nothing force-pushes.
  git -C "$bare.tmp" config receive.denyNonFastForwards true
  git -C "$bare.tmp" config receive.denyDeletes true
  if [[ -n "${GIT_SEED_DIR:-}" ]]; then
    [[ -d "$GIT_SEED_DIR" ]] || fail "GIT_SEED_DIR $GIT_SEED_DIR is not a directory"
    work=$(mktemp -d "$RUN_DIR/seed.XXXXXX")
    # -L: a ConfigMap's keys are symlinks into ..data; the ..* entries themselves are skipped.
    (cd -- "$GIT_SEED_DIR" && find . -mindepth 1 -maxdepth 1 ! -name '..*' -exec cp -RL -t "$work" -- {} +)
    git -C "$work" init -q -b main
    git -C "$work" add -A
    # A fixed author and date give the same commit id on every start: tests may pin it.
    GIT_AUTHOR_NAME=seed GIT_AUTHOR_EMAIL=seed@gitserver.invalid GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' \
      GIT_COMMITTER_NAME=seed GIT_COMMITTER_EMAIL=seed@gitserver.invalid GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
      git -C "$work" commit -q --allow-empty -m "seed"
    git -C "$work" push -q "$bare.tmp" main
    rm -rf -- "$work"
  fi
  mv -T -- "$bare.tmp" "$bare"
  log "created $bare$([[ -n "${GIT_SEED_DIR:-}" ]] && printf ' from %s at %s' "$GIT_SEED_DIR" "$(git -C "$bare" rev-parse main)")"
}

for repo in $GIT_REPOS; do
  [[ "$repo" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || fail "bad repository name in GIT_REPOS: $repo"
  seed_repo "$repo"
done

pids=()

if [[ -n "${GIT_HTTP_TOKEN_FILE:-}" ]]; then
  [[ -s "$GIT_HTTP_TOKEN_FILE" ]] || fail "GIT_HTTP_TOKEN_FILE $GIT_HTTP_TOKEN_FILE is missing or empty"
  GIT_PROJECT_ROOT=$GIT_ROOT GIT_HTTP_PORT=$GIT_HTTP_PORT python3 /usr/local/lib/gitserver/http_server.py &
  pids+=($!)
fi

if [[ -n "${GIT_SSH_HOST_KEY_FILE:-}" ]]; then
  [[ -s "$GIT_SSH_HOST_KEY_FILE" ]] || fail "GIT_SSH_HOST_KEY_FILE $GIT_SSH_HOST_KEY_FILE is missing or empty"
  [[ -s "${GIT_SSH_AUTHORIZED_KEYS_FILE:-}" ]] || fail "GIT_SSH_AUTHORIZED_KEYS_FILE must name a non-empty authorized_keys file"
  [[ "$(id -un 2>/dev/null)" == git ]] || fail "sshd as non-root only logs in its own user, which must be git (uid 1000); running as $(id -u)"
  # Private copies, 0600 and owned by us: sshd refuses a host key others can read, and a mounted
  # Secret is root-owned and group-readable (fsGroup).
  (umask 077 && cat -- "$GIT_SSH_HOST_KEY_FILE" >"$RUN_DIR/ssh_host_key" && cat -- "$GIT_SSH_AUTHORIZED_KEYS_FILE" >"$RUN_DIR/authorized_keys")
  # StrictModes would check the owners and modes of every directory above the authorized_keys
  # file, and /tmp is world-writable; the copies above are ours and 0600, which is what it guards.
  cat >"$RUN_DIR/sshd_config" <<EOF
Port $GIT_SSH_PORT
HostKey $RUN_DIR/ssh_host_key
PidFile $RUN_DIR/sshd.pid
AuthorizedKeysFile $RUN_DIR/authorized_keys
StrictModes no
UsePAM no
AllowUsers git
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding no
AllowStreamLocalForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
PermitTunnel no
PermitUserEnvironment no
PrintMotd no
LogLevel INFO
EOF
  log "sshd on :$GIT_SSH_PORT for user git (git-shell), repositories under $GIT_ROOT; host key $(ssh-keygen -l -f "$RUN_DIR/ssh_host_key" | cut -d' ' -f2)"
  # -D: stay in the foreground, -e: log to stderr (the container log).
  /usr/sbin/sshd -D -e -f "$RUN_DIR/sshd_config" &
  pids+=($!)
fi

# shellcheck disable=SC2317 # reached through the trap below
stop() {
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
  exit 0
}
trap stop TERM INT

# When one server dies the container stops, so the kubelet restarts both.
rc=0
wait -n "${pids[@]}" || rc=$?
log "a server exited (status $rc); stopping"
kill -TERM "${pids[@]}" 2>/dev/null || true
wait || true
exit "$((rc == 0 ? 1 : rc))"
