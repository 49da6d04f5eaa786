# shellcheck shell=bash
# git-auth.sh: a git the notebook user cannot steer, and git credentials from a mounted Kubernetes
# Secret; sourced by prepare-home.sh and autosave.sh. The notebook user controls everything in
# the home (any .git there, ~/.gitconfig, ~/.ssh, files on PATH): the helpers run git with
# credentials, so that git reads its settings only from a file the helper writes. Credentials
# are only ever read from files: never from the environment, never written into a repository's
# config.
#
# Environment (defaults in brackets):
#   GIT_CREDENTIALS  none | ssh | token [none]
#   GIT_SECRET_DIR   where the Secret is mounted [/etc/git-secret]
#                    ssh: keys "ssh-privatekey" and "known_hosts" (pinned; required)
#                    token: key "token" (https)
#   GIT_USERNAME     https user name sent with the token [git]
#   GIT_SSL_CAINFO   a private CA for https (a file of the Secret) [unset]
#
# git_safe_setup PRIVATE_DIR REMOTE UNTRUSTED_DIR
#   Makes every later git command of the calling script ignore whatever the user could have
#   set. PRIVATE_DIR is (re)created empty, 0700 (it must be on a volume the notebook container
#   does not mount); it holds the only git config read (PRIVATE_DIR/gitconfig). Every GIT_*
#   variable git reads, proxy variables and XDG_CONFIG_HOME are removed from the environment,
#   PATH loses entries that are relative or inside UNTRUSTED_DIR (the home), and only REMOTE's
#   transport is allowed (never ext:: or another remote helper). Returns 1 with a message when
#   REMOTE is not a plain URL or path.
#
# git_auth_setup PRIVATE_DIR REMOTE
#   Prepares credentials for REMOTE in PRIVATE_DIR and sets GIT_AUTH_ARGS: pass
#   "${GIT_AUTH_ARGS[@]}" to the git commands that talk to REMOTE, and to nothing else. Returns 1
#   with a message when the Secret is incomplete.
#   ssh: the key is copied into PRIVATE_DIR with mode 0400 and owned by us (fsGroup makes the
#   mounted key group-readable, and openssh refuses a group-readable key its user owns); ssh
#   reads no config file (openssh finds ~/.ssh/config through the passwd entry, which is the
#   user's home), uses only that key and only the pinned known_hosts.
#   token: a credential helper in PRIVATE_DIR answers for REMOTE's host only, reading the token
#   file each time.
#
# git_auth_forget PRIVATE_DIR
#   Removes the credential copies; GIT_AUTH_ARGS keeps only what disables other credentials.

# Our own settings, not read by git.
GIT_AUTH_OWN_VARIABLES=' GIT_CREDENTIALS GIT_SECRET_DIR GIT_USERNAME '

git_safe_setup() {
  local private_dir=$1 remote=$2 untrusted=$3 scheme name entry path=
  scheme=$(git_remote_scheme "$remote") || {
    echo "git-auth: the remote must be an https://, http://, ssh://, git:// or file:// URL, user@host:path or an absolute path, not \"$remote\"" >&2
    return 1
  }
  GIT_AUTH_CAINFO=${GIT_SSL_CAINFO:-}
  for name in $(compgen -e); do
    case ${name,,} in
      git_*) [[ $GIT_AUTH_OWN_VARIABLES == *" $name "* ]] || unset "$name" ;;
      xdg_config_home | http_proxy | https_proxy | all_proxy | no_proxy | ssh_auth_sock | ssh_askpass* | curl_home | bash_env | env) unset "$name" ;;
    esac
  done
  # A program planted in the home must never run as `git` or `ssh`.
  untrusted=${untrusted%/}
  local entries
  IFS=: read -ra entries <<<"${PATH:-}"
  for entry in "${entries[@]}"; do
    [[ $entry == /* ]] || continue
    [ -n "$untrusted" ] && [[ $entry/ == "$untrusted"/* ]] && continue
    path=${path:+$path:}$entry
  done
  export PATH=$path
  command -v git >/dev/null 2>&1 || { echo "git-auth: git is not installed" >&2; return 1; }

  rm -rf -- "$private_dir" || return 1
  (umask 077 && mkdir -p -- "$private_dir") || return 1
  chmod 0700 -- "$private_dir" || return 1
  # Nothing here runs a command, follows a redirection or reads another file; transports other
  # than the remote's are refused, so no URL can select ext:: or a remote helper.
  {
    printf '[core]\n\thooksPath = /dev/null\n\tfsmonitor = false\n\tuntrackedCache = false\n'
    printf '\tattributesFile = /dev/null\n\texcludesFile = /dev/null\n\taskPass =\n\tautocrlf = false\n\tsymlinks = true\n'
    printf '[credential]\n\thelper =\n[http]\n\tproxy =\n[protocol]\n\tallow = never\n[protocol "%s"]\n\tallow = always\n' "$scheme"
    printf '[submodule]\n\trecurse = false\n[fetch]\n\trecurseSubmodules = false\n[push]\n\trecurseSubmodules = no\n'
    printf '[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n[advice]\n\tpushUpdateRejected = false\n\tdetachedHead = false\n'
  } >"$private_dir/gitconfig" || return 1
  export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$private_dir/gitconfig GIT_ATTR_NOSYSTEM=1 \
    GIT_TERMINAL_PROMPT=0 GIT_NO_REPLACE_OBJECTS=1 GIT_PROTOCOL_FROM_USER=0 GIT_OPTIONAL_LOCKS=0 \
    GIT_LITERAL_PATHSPECS=1
  export HOME=$private_dir XDG_CONFIG_HOME=$private_dir
  GIT_AUTH_ARGS=(-c credential.helper= -c core.askPass=)
}

# git_remote_scheme URL: git's name for the transport of a remote URL or path; 1 for anything
# else (a "<helper>::" address, an option, a relative path).
git_remote_scheme() {
  case $1 in
    -* | *::*) return 1 ;;
    https://?* | http://?* | ssh://?* | git://?* | file:///*) printf '%s\n' "${1%%://*}" ;;
    /*) printf 'file\n' ;;
    *) [[ $1 =~ ^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/] ]] || [[ $1 =~ ^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/ ]] || return 1
       printf 'ssh\n' ;;
  esac
}

git_auth_setup() {
  local private_dir=$1 remote=$2
  local secret_dir=${GIT_SECRET_DIR:-/etc/git-secret}
  # An empty credential.helper resets the list: no helper but ours ever sees a credential.
  GIT_AUTH_ARGS=(-c credential.helper= -c core.askPass=)
  [ -n "${GIT_AUTH_CAINFO:-${GIT_SSL_CAINFO:-}}" ] && GIT_AUTH_ARGS+=(-c "http.sslCAInfo=${GIT_AUTH_CAINFO:-$GIT_SSL_CAINFO}")
  export GIT_TERMINAL_PROMPT=0
  # ssh never reads a config file: openssh looks for ~/.ssh/config in the passwd home, the user's.
  local ssh='ssh -F /dev/null -o BatchMode=yes -o IdentityAgent=none'
  case "${GIT_CREDENTIALS:-none}" in
    none)
      GIT_AUTH_ARGS+=(-c "core.sshCommand=$ssh")
      return 0
      ;;
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
    printf -v command '%s -i %q -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=%q -o UpdateHostKeys=no' \
      "$ssh" "$key" "$secret_dir/known_hosts"
    GIT_AUTH_ARGS+=(-c "core.sshCommand=$command")
    return 0
  fi

  GIT_AUTH_ARGS+=(-c "core.sshCommand=$ssh")
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
  rm -f -- "$helper"
  # shellcheck disable=SC2016 # the helper's own expansions, written as they are
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

git_auth_forget() {
  rm -f -- "$1/ssh-key" "$1/git-credential"
  GIT_AUTH_ARGS=(-c credential.helper= -c core.askPass= -c 'core.sshCommand=ssh -F /dev/null -o BatchMode=yes -o IdentityAgent=none')
}

# git_auth_host URL: the host (with port) of an http(s) URL, as git's credential protocol names it.
git_auth_host() {
  if [[ $1 =~ ^https?://([^/@]+@)?([^/?#]+) ]]; then
    printf '%s\n' "${BASH_REMATCH[2]}"
  else
    return 1
  fi
}
