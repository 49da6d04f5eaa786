# shellcheck shell=bash
# git-auth.sh: git credentials from a mounted Kubernetes Secret, sourced by prepare-home.sh and
# autosave.sh. Credentials are only ever read from files: never from the environment, never
# written into a repository's config.
#
# Environment (defaults in brackets):
#   GIT_CREDENTIALS  none | ssh | token [none]
#   GIT_SECRET_DIR   where the Secret is mounted [/etc/git-secret]
#                    ssh: keys "ssh-privatekey" and "known_hosts" (pinned; required)
#                    token: key "token" (https)
#   GIT_USERNAME     https user name sent with the token [git]
#
# git_auth_setup PRIVATE_DIR REMOTE
#   Prepares credentials for REMOTE (a URL) in PRIVATE_DIR (created 0700; not shared with the
#   notebook container) and sets GIT_AUTH_ARGS: pass "${GIT_AUTH_ARGS[@]}" to every git command
#   that talks to REMOTE. Returns 1 with a message when the Secret is incomplete.
#
#   ssh: the key is copied into PRIVATE_DIR with mode 0400 and owned by us (fsGroup makes the
#   mounted key group-readable, and openssh refuses a group-readable key its user owns);
#   GIT_SSH_COMMAND uses only that key and only the pinned known_hosts.
#   token: a credential helper in PRIVATE_DIR answers for REMOTE's host only, reading the token
#   file each time; helpers from repository or user config are disabled so none can store it.

git_auth_setup() {
  local private_dir=$1 remote=$2
  local secret_dir=${GIT_SECRET_DIR:-/etc/git-secret}
  # An empty credential.helper resets the list: helpers configured in the repository never see a credential.
  GIT_AUTH_ARGS=(-c credential.helper= -c core.askPass=)
  export GIT_TERMINAL_PROMPT=0
  case "${GIT_CREDENTIALS:-none}" in
    none) return 0 ;;
    ssh | token) ;;
    *)
      echo "git-auth: GIT_CREDENTIALS must be none, ssh or token, not \"${GIT_CREDENTIALS}\"" >&2
      return 1
      ;;
  esac
  (umask 077 && mkdir -p -- "$private_dir") || return 1
  chmod 0700 -- "$private_dir" || return 1

  if [ "$GIT_CREDENTIALS" = ssh ]; then
    if [ ! -s "$secret_dir/ssh-privatekey" ]; then
      echo "git-auth: no ssh key: the Secret mounted at $secret_dir needs the key \"ssh-privatekey\"" >&2
      return 1
    fi
    if [ ! -s "$secret_dir/known_hosts" ]; then
      echo "git-auth: no pinned host keys: the Secret mounted at $secret_dir needs the key \"known_hosts\" (ssh-keyscan <host>); refusing to trust unknown hosts" >&2
      return 1
    fi
    local key=$private_dir/ssh-key
    rm -f -- "$key"
    (umask 077 && cat -- "$secret_dir/ssh-privatekey" >"$key") || return 1
    chmod 0400 -- "$key" || return 1
    local command
    printf -v command 'ssh -i %q -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=%q' \
      "$key" "$secret_dir/known_hosts"
    export GIT_SSH_COMMAND=$command GIT_SSH_VARIANT=ssh
    return 0
  fi

  if [ ! -s "$secret_dir/token" ]; then
    echo "git-auth: no token: the Secret mounted at $secret_dir needs the key \"token\"" >&2
    return 1
  fi
  local host
  host=$(git_auth_host "$remote") || {
    echo "git-auth: token credentials need an https remote (https://host/path), not \"$remote\"" >&2
    return 1
  }
  local helper=$private_dir/git-credential
  {
    printf '# git credential helper written by git-auth.sh: the mounted token, for one host only.\n'
    printf '[ "${1:-}" = get ] || exit 0\n'
    printf 'host=\n'
    printf 'while IFS= read -r line && [ -n "$line" ]; do\n'
    printf '  case $line in host=*) host=${line#host=} ;; esac\n'
    printf 'done\n'
    printf '[ "$host" = %q ] || exit 0\n' "$host"
    printf 'printf "username=%%s\\n" %q\n' "${GIT_USERNAME:-git}"
    printf 'printf "password=%%s\\n" "$(cat -- %q)"\n' "$secret_dir/token"
  } >"$helper" || return 1
  chmod 0500 -- "$helper" || return 1
  local quoted
  printf -v quoted '%q' "$helper"
  GIT_AUTH_ARGS+=(-c "credential.helper=!bash $quoted")
}

# git_auth_host URL: the host (with port) of an http(s) URL, as git's credential protocol names it.
git_auth_host() {
  if [[ $1 =~ ^https?://([^/@]+@)?([^/?#]+) ]]; then
    printf '%s\n' "${BASH_REMATCH[2]}"
  else
    return 1
  fi
}
