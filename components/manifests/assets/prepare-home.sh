#!/usr/bin/env bash
# prepare-home.sh: the initContainer that gets a session's home ready before Jupyter starts.
# Every step is idempotent and none ever overwrites a file: a restart finds the home as the user
# left it.
#
#   1. fork     copy another session's home (mounted read-only at FORK_SOURCE) once, guarded by
#               a marker under ~/.notebook-platform/; existing files are never replaced.
#   2. welcome  copy the welcome notebook into an empty home on first start.
#   3. code     persistent code mode: a plain clone into CODE_DIRECTORY if it does not exist
#               yet. git never runs inside the home, which the user (and the owner's other
#               running sessions) can write: the clone is made in CLONE_WORK_DIR, on a volume
#               only this container mounts, with the config git-auth.sh writes; the credentials
#               are removed before the checkout; the finished clone is then copied beside
#               CODE_DIRECTORY and moved into place, so an interrupted clone is retried, never
#               left half-done. An existing CODE_DIRECTORY (a restart) is never opened.
#
# Environment (defaults in brackets):
#   NOTEBOOK_HOME     the home to prepare [/home/jovyan]
#   FORK_SOURCE       the source home, read-only [unset: no fork]
#   FORK_SESSION      the source session's name, recorded in the marker [unknown]
#   WELCOME_NOTEBOOK  the welcome notebook to copy [unset: none]
#   CODE_REPO         repository URL [unset: no clone]
#   CODE_REF          branch, tag or commit [HEAD: the remote's default branch]
#   CODE_DEPTH        clone depth, 0 for full history [1]
#   CODE_DIRECTORY    where the clone goes [$NOTEBOOK_HOME/code]
#   PRIVATE_DIR       private scratch for config and credentials, removed on exit [${TMPDIR:-/tmp}/prepare-home]
#   CLONE_WORK_DIR    private scratch for the clone, removed on exit [${TMPDIR:-/tmp}/prepare-home-clone]
#   GIT_CREDENTIALS, GIT_SECRET_DIR, GIT_USERNAME, GIT_SSL_CAINFO: see git-auth.sh
set -euo pipefail
# Functions from the environment must not stand in for git or anything else used here.
while read -r _ _ name; do unset -f "$name"; done < <(declare -F)

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# Never in the home (the image's working directory): git there could find a repository the user made.
cd /
NOTEBOOK_HOME=${NOTEBOOK_HOME:-/home/jovyan}
MARKERS=$NOTEBOOK_HOME/.notebook-platform
PRIVATE_DIR=${PRIVATE_DIR:-${TMPDIR:-/tmp}/prepare-home}
CLONE_WORK_DIR=${CLONE_WORK_DIR:-${TMPDIR:-/tmp}/prepare-home-clone}
WELCOME_NAME=Welcome.ipynb

log() { printf 'prepare-home: %s\n' "$*" >&2; }

# Entries a fresh home may already hold without being the user's work.
is_housekeeping() {
  case $1 in
    .notebook-platform | .cache | lost+found) return 0 ;;
    *) return 1 ;;
  esac
}

home_is_empty() {
  local entry
  shopt -s nullglob dotglob
  for entry in "$NOTEBOOK_HOME"/*; do
    is_housekeeping "${entry##*/}" || { shopt -u nullglob dotglob; return 1; }
  done
  shopt -u nullglob dotglob
  return 0
}

fork_home() {
  [ -n "${FORK_SOURCE:-}" ] || return 0
  local marker=$MARKERS/forked-from
  if [ -e "$marker" ]; then
    log "fork: already copied from $(cat -- "$marker"); not copying again"
    return 0
  fi
  if [ ! -d "$FORK_SOURCE" ]; then
    log "fork: source $FORK_SOURCE is not mounted"
    return 1
  fi
  log "fork: copying $FORK_SOURCE into $NOTEBOOK_HOME (existing files are kept)"
  # tar keeps modes, links and times; --skip-old-files never replaces what is already there.
  # The source's own markers and caches are not its work.
  local status
  set +e
  tar -C "$FORK_SOURCE" --exclude=./.notebook-platform --exclude=./.cache --exclude=./lost+found -cf - . |
    tar -C "$NOTEBOOK_HOME" --skip-old-files --no-same-owner --preserve-permissions -xf -
  status=("${PIPESTATUS[@]}")
  set -e
  # GNU tar exits 1 when a file changed while it was read (the source session is running): the
  # copy is complete, the file is as it was at some point. 2 is a real failure.
  if [ "${status[0]}" -gt 1 ] || [ "${status[1]}" -ne 0 ]; then
    log "fork: copy failed (tar exit ${status[*]}); it will be retried on the next start"
    return 1
  fi
  printf '%s\n' "${FORK_SESSION:-unknown}" >"$marker"
  log "fork: done"
}

welcome() {
  [ -n "${WELCOME_NOTEBOOK:-}" ] || return 0
  local marker=$MARKERS/welcomed target=$NOTEBOOK_HOME/$WELCOME_NAME
  [ -e "$marker" ] && return 0
  if home_is_empty && [ ! -e "$target" ]; then
    cp -- "$WELCOME_NOTEBOOK" "$target"
    chmod 0644 -- "$target"
    log "welcome: copied $WELCOME_NAME"
  else
    log "welcome: the home is not empty; leaving it alone"
  fi
  : >"$marker"
}

clone_code() {
  [ -n "${CODE_REPO:-}" ] || return 0
  local directory=${CODE_DIRECTORY:-$NOTEBOOK_HOME/code} ref=${CODE_REF:-HEAD} depth=${CODE_DEPTH:-1}
  if [ -e "$directory" ] || [ -L "$directory" ]; then
    log "code: $directory exists; never touching it again"
    return 0
  fi
  local private
  for private in "$PRIVATE_DIR" "$CLONE_WORK_DIR"; do
    case $private/ in
      /*) ;;
      *) log "code: $private must be an absolute path"; return 1 ;;
    esac
    case $private/ in "${NOTEBOOK_HOME%/}"/*)
      log "code: $private must not be inside the home $NOTEBOOK_HOME"
      return 1
      ;;
    esac
  done
  # shellcheck source=git-auth.sh
  . "$SCRIPT_DIR/git-auth.sh"
  git_safe_setup "$PRIVATE_DIR" "$CODE_REPO" "$NOTEBOOK_HOME"
  git_auth_setup "$PRIVATE_DIR" "$CODE_REPO"
  local tree=$CLONE_WORK_DIR/tree
  rm -rf -- "$CLONE_WORK_DIR"
  (umask 077 && mkdir -p -- "$CLONE_WORK_DIR")
  local depth_args=()
  [ "$depth" -gt 0 ] && depth_args=(--depth "$depth")
  local commit=
  [[ $ref =~ ^[0-9a-f]{7,40}$ ]] && commit=$ref
  log "code: cloning $CODE_REPO ($ref) into $directory"
  # Fetch with the credentials, into the private directory only.
  if [ "$ref" = HEAD ]; then
    git "${GIT_AUTH_ARGS[@]}" clone --quiet --no-checkout "${depth_args[@]}" -- "$CODE_REPO" "$tree"
  elif [ -n "$commit" ]; then
    # A commit: --branch cannot name one, so fetch it and check it out detached.
    git init --quiet -- "$tree"
    git -C "$tree" remote add origin "$CODE_REPO"
    git -C "$tree" "${GIT_AUTH_ARGS[@]}" fetch --quiet "${depth_args[@]}" origin "$ref"
  else
    git "${GIT_AUTH_ARGS[@]}" clone --quiet --no-checkout "${depth_args[@]}" --branch "$ref" -- "$CODE_REPO" "$tree"
  fi
  # The checkout needs no credentials.
  git_auth_forget "$PRIVATE_DIR"
  if [ -n "$commit" ]; then
    git -C "$tree" checkout --quiet --detach FETCH_HEAD
  elif git -C "$tree" rev-parse -q --verify HEAD >/dev/null; then
    git -C "$tree" reset --quiet --hard HEAD
  fi # else an empty repository: nothing to check out
  # Into the home: plain copies of our own files, the last step, holding no credentials. The
  # owner's other running session may meddle with the staging copy; it can only spoil this
  # clone, and the autosave sidecar never follows a link it planted.
  local staging=$MARKERS/clone-in-progress
  rm -rf -- "$staging"
  cp -a -- "$tree" "$staging"
  mkdir -p -- "$(dirname -- "$directory")"
  mv -T -- "$staging" "$directory"
  rm -rf -- "$CLONE_WORK_DIR"
  log "code: done"
}

cleanup() { rm -rf -- "$PRIVATE_DIR" "$CLONE_WORK_DIR"; }
trap cleanup EXIT

main() {
  if [ ! -d "$NOTEBOOK_HOME" ] || [ ! -w "$NOTEBOOK_HOME" ]; then
    log "the home $NOTEBOOK_HOME is missing or not writable by uid $(id -u)"
    return 1
  fi
  (umask 077 && mkdir -p -- "$MARKERS")
  fork_home
  welcome
  clone_code
}

main "$@"
