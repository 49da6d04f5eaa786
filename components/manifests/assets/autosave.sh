#!/usr/bin/env bash
# autosave.sh: the autosave sidecar. Watches a git work tree and, once it has been quiet for the
# debounce period, commits a snapshot and pushes it to the autosave branch.
#
# Snapshots are built with a private index and `git commit-tree`: the user's HEAD, branch, index
# and files are never touched, whatever state the work tree is in. A snapshot holds every file
# git would add (`git add -A`: .gitignore'd files are left out) except files over the size limit,
# which are never hashed. Snapshots chain on the previous snapshot (kept in
# refs/notebook-platform/<branch>); the first one chains on HEAD.
#
# Pushing never forces. When the remote branch has moved (another pod of the session, someone
# else), its history is fetched and merged: a merge commit whose parents are the local snapshot
# and the remote tip and whose content is the work tree, so the push fast-forwards and the remote
# history is kept. A failed push is retried with exponential backoff; the sidecar keeps running,
# and later changes are folded into the next attempt. On SIGTERM it saves and pushes once more.
#
# Environment (defaults in brackets):
#   AUTOSAVE_WORK_TREE           the work tree (required)
#   AUTOSAVE_REMOTE              remote URL or path (required)
#   AUTOSAVE_BRANCH              branch pushed to, e.g. autosave/<session> (required)
#   AUTOSAVE_DEBOUNCE_SECONDS    quiet period after the last change [30]
#   AUTOSAVE_MAX_FILE_SIZE_MB    files larger than this are never committed [10]
#   AUTOSAVE_WATCH               auto | inotify | poll: inotifywait when installed, else polling [auto]
#   AUTOSAVE_POLL_SECONDS        polling interval [5]
#   AUTOSAVE_RETRY_SECONDS       first delay after a failed save or push, doubled each time [5]
#   AUTOSAVE_RETRY_MAX_SECONDS   longest delay [300]
#   AUTOSAVE_STATE_DIR           private state: index, credentials [${TMPDIR:-/tmp}/autosave]
#   AUTOSAVE_AUTHOR_NAME/_EMAIL  commit identity [notebook-platform autosave, autosave@notebook-platform.invalid]
#   AUTOSAVE_ONCE=1 or --once    save and push once, then exit: 0 when pushed (or nothing to push), 1 if not
#   GIT_CREDENTIALS, GIT_SECRET_DIR, GIT_USERNAME: see git-auth.sh
set -uo pipefail

log() { printf '%s autosave: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "$*"; exit 2; }

ONCE=${AUTOSAVE_ONCE:-0}
for argument in "$@"; do
  case $argument in
    --once) ONCE=1 ;;
    *) die "unknown argument \"$argument\" (the only one is --once)" ;;
  esac
done

WORK_TREE=${AUTOSAVE_WORK_TREE:?AUTOSAVE_WORK_TREE is required}
REMOTE=${AUTOSAVE_REMOTE:?AUTOSAVE_REMOTE is required}
BRANCH=${AUTOSAVE_BRANCH:?AUTOSAVE_BRANCH is required}
DEBOUNCE=${AUTOSAVE_DEBOUNCE_SECONDS:-30}
MAX_MB=${AUTOSAVE_MAX_FILE_SIZE_MB:-10}
WATCH=${AUTOSAVE_WATCH:-auto}
POLL=${AUTOSAVE_POLL_SECONDS:-5}
RETRY=${AUTOSAVE_RETRY_SECONDS:-5}
RETRY_MAX=${AUTOSAVE_RETRY_MAX_SECONDS:-300}
STATE_DIR=${AUTOSAVE_STATE_DIR:-${TMPDIR:-/tmp}/autosave}
for number in DEBOUNCE MAX_MB POLL RETRY RETRY_MAX; do
  [[ ${!number} =~ ^[0-9]+$ ]] || die "$number must be a whole number, not \"${!number}\""
done
git check-ref-format "refs/heads/$BRANCH" || die "\"$BRANCH\" is not a valid branch name"
case $WATCH in
  auto) command -v inotifywait >/dev/null 2>&1 && WATCH=inotify || WATCH=poll ;;
  inotify) command -v inotifywait >/dev/null 2>&1 || die "AUTOSAVE_WATCH=inotify but inotifywait is not installed" ;;
  poll) ;;
  *) die "AUTOSAVE_WATCH must be auto, inotify or poll, not \"$WATCH\"" ;;
esac

export GIT_AUTHOR_NAME=${AUTOSAVE_AUTHOR_NAME:-notebook-platform autosave}
export GIT_AUTHOR_EMAIL=${AUTOSAVE_AUTHOR_EMAIL:-autosave@notebook-platform.invalid}
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
# Literal paths: a file named "*.ipynb" is that file, not a pattern.
export GIT_LITERAL_PATHSPECS=1 GIT_OPTIONAL_LOCKS=0

LOCAL_REF=refs/notebook-platform/$BRANCH
MAX_BYTES=$((MAX_MB * 1024 * 1024))
declare -A WARNED=()

(umask 077 && mkdir -p -- "$STATE_DIR") || die "cannot create $STATE_DIR"
STATE_DIR=$(cd -- "$STATE_DIR" && pwd)
export GIT_INDEX_FILE=$STATE_DIR/index

# shellcheck source=git-auth.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/git-auth.sh"
git_auth_setup "$STATE_DIR/credentials" "$REMOTE" || die "git credentials are not usable"

# git in the work tree. The repository's own hooks and fsmonitor never run here: this container
# holds credentials the notebook container does not.
g() { git -C "$WORK_TREE" -c core.hooksPath=/dev/null -c core.fsmonitor= "$@"; }
g_remote() { g "${GIT_AUTH_ARGS[@]}" "$@"; }

# Paths that differ from the last snapshot and may be committed: NUL-separated into $1.
changed_paths() {
  local out=$1 path full size
  : >"$out"
  while IFS= read -r -d '' path; do
    full=$WORK_TREE/$path
    if [ -f "$full" ] && [ ! -L "$full" ]; then
      size=$(stat -c %s -- "$full" 2>/dev/null || wc -c <"$full")
      if [ "$size" -gt "$MAX_BYTES" ]; then
        if [ -z "${WARNED[$path]:-}" ]; then
          log "not saving $path: $size bytes is over the $MAX_MB MB limit"
          WARNED[$path]=1
        fi
        continue
      fi
    fi
    printf '%s\0' "$path" >>"$out"
  done < <(g ls-files -z --modified --deleted --others --exclude-standard)
}

# Commits the work tree onto LOCAL_REF when it differs from the last snapshot.
snapshot() {
  local parent tree commit paths=$STATE_DIR/paths
  parent=$(g rev-parse -q --verify "$LOCAL_REF^{commit}" || g rev-parse -q --verify "HEAD^{commit}" || true)
  if [ ! -f "$GIT_INDEX_FILE" ]; then
    if [ -n "$parent" ]; then g read-tree "$parent" || return 1; else g read-tree --empty || return 1; fi
  fi
  g update-index -q --refresh >/dev/null 2>&1 || true
  changed_paths "$paths" || return 1
  if [ -s "$paths" ]; then
    g add -A --pathspec-from-file="$paths" --pathspec-file-nul || return 1
  fi
  tree=$(g write-tree) || return 1
  if [ -n "$parent" ] && [ "$tree" = "$(g rev-parse "$parent^{tree}")" ]; then return 0; fi
  commit=$(g commit-tree "$tree" ${parent:+-p "$parent"} -m "autosave $(date -u +%Y-%m-%dT%H:%M:%SZ)") || return 1
  g update-ref -m autosave "$LOCAL_REF" "$commit" || return 1
  log "saved $commit"
}

# Pushes LOCAL_REF to the branch if it has not been pushed yet. Never forces.
push() {
  local commit remote merge pushed_file=$STATE_DIR/pushed
  commit=$(g rev-parse -q --verify "$LOCAL_REF^{commit}") || return 0
  [ "$commit" = "$(cat -- "$pushed_file" 2>/dev/null)" ] && return 0
  if g_remote push --quiet --no-verify -- "$REMOTE" "$commit:refs/heads/$BRANCH"; then
    printf '%s\n' "$commit" >"$pushed_file"
    log "pushed $commit to $BRANCH"
    return 0
  fi
  # Rejected or unreachable. If the branch moved on the remote, fold its history in and retry.
  g_remote fetch --quiet --no-tags -- "$REMOTE" "refs/heads/$BRANCH" 2>/dev/null || return 1
  remote=$(g rev-parse -q --verify "FETCH_HEAD^{commit}") || return 1
  if g merge-base --is-ancestor "$remote" "$commit" 2>/dev/null; then
    return 1 # the remote has nothing we lack: the failure was not a moved branch
  fi
  merge=$(g commit-tree "$commit^{tree}" -p "$commit" -p "$remote" -m "autosave: merge $BRANCH from the remote (the work tree's content wins)") || return 1
  g update-ref -m "autosave merge" "$LOCAL_REF" "$merge" "$commit" || return 1
  log "the remote $BRANCH moved; merged its history"
  if g_remote push --quiet --no-verify -- "$REMOTE" "$merge:refs/heads/$BRANCH"; then
    printf '%s\n' "$merge" >"$pushed_file"
    log "pushed $merge to $BRANCH"
    return 0
  fi
  return 1
}

save() {
  if ! g rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    log "$WORK_TREE is not a git work tree (yet)"
    return 1
  fi
  snapshot || { log "snapshot failed"; return 1; }
  push || { log "push to $BRANCH failed"; return 1; }
}

# A fingerprint of names, sizes and times under the work tree (git's own directories excluded).
fingerprint() {
  find "$WORK_TREE/" -name .git -prune -o -printf '%P\t%s\t%T@\n' 2>/dev/null | sort | cksum
}

EVENTS=$STATE_DIR/events
WATCHER=
# inotify: one recursive watcher for the whole run, appending a line per event to $EVENTS. It
# is running before the first save, so no change can slip between a save and the next wait.
start_watcher() {
  [ "$WATCH" = inotify ] || return 0
  : >"$EVENTS"
  inotifywait -m -r -e close_write,create,delete,move,attrib --format x \
    --exclude '(^|/)\.git(/|$)' -- "$WORK_TREE/" >>"$EVENTS" 2>"$STATE_DIR/watcher.log" &
  WATCHER=$!
  local waited=0
  until grep -q 'Watches established' "$STATE_DIR/watcher.log" 2>/dev/null; do
    kill -0 "$WATCHER" 2>/dev/null || return 0 # read_state reports it and falls back to polling
    if [ "$waited" -ge 600 ]; then
      log "inotifywait is still setting up watches; going on"
      return 0
    fi
    pause 0.1
    waited=$((waited + 1))
  done
}

# Sets STATE to what changes when the work tree changes: the event count (inotify) or the
# fingerprint (polling, and the fallback when the watcher has died).
read_state() {
  if [ "$WATCH" = inotify ] && ! kill -0 "$WATCHER" 2>/dev/null; then
    log "inotifywait stopped ($(tail -n 1 "$STATE_DIR/watcher.log" 2>/dev/null)); polling instead"
    WATCH=poll
  fi
  if [ "$WATCH" = inotify ]; then
    local size
    size=$(stat -c %s -- "$EVENTS")
    # Keep the event file small; the truncation itself reads as one more change.
    if [ "$size" -gt 1048576 ]; then : >"$EVENTS"; fi
    STATE="events $size"
  else
    STATE=$(fingerprint)
  fi
}

CHILD=
# Sleeps in the background so a signal is handled at once.
pause() {
  sleep "$1" &
  CHILD=$!
  wait "$CHILD"
  CHILD=
}

# Waits until STATE differs from what it is now, at most $1 seconds (then returns 1). The state
# is checked every second with inotify (cheap), every AUTOSAVE_POLL_SECONDS when polling.
wait_for_change() {
  local timeout=$1 waited=0 step since=$STATE
  while [ "$waited" -lt "$timeout" ]; do
    if [ "$WATCH" = inotify ]; then step=1; else step=$((POLL > 0 ? POLL : 1)); fi
    pause "$step"
    waited=$((waited + step))
    read_state
    [ "$STATE" != "$since" ] && return 0
  done
  return 1
}

# Returns once the state has not changed for the debounce period.
wait_until_quiet() {
  while wait_for_change "$DEBOUNCE"; do :; done
}

stop_watcher() {
  if [ -n "$WATCHER" ]; then kill "$WATCHER" 2>/dev/null; fi
  WATCHER=
}

on_term() {
  [ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null
  stop_watcher
  log "stopping: saving once more"
  save && exit 0
  exit 1
}

main() {
  if [ "$ONCE" = 1 ]; then
    save
    exit
  fi
  trap on_term TERM INT
  trap stop_watcher EXIT
  start_watcher
  log "watching $WORK_TREE ($WATCH), pushing to $BRANCH of $REMOTE"
  local delay=$RETRY
  while :; do
    # The state is read before saving: whatever changes during the save is seen afterwards.
    read_state
    if save; then
      delay=$RETRY
      # A change, then quiet for the debounce period. The timeout makes a periodic save: one
      # without changes commits nothing.
      wait_for_change 300 || continue
      wait_until_quiet
    else
      log "retrying in ${delay}s"
      pause "$delay"
      delay=$((delay * 2 > RETRY_MAX ? RETRY_MAX : delay * 2))
    fi
  done
}

main
