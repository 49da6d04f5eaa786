#!/usr/bin/env bash
# autosave.sh: the autosave sidecar. Watches a work tree and, once it has been quiet for the
# debounce period, commits a snapshot and pushes it to the autosave branch.
#
# This container holds git credentials the notebook container does not, and the notebook user
# can write every file of the work tree, its .git included. So no git process here opens the
# user's repository or runs anything the user wrote (docs/git-helpers.md):
#   - snapshots are built in the helper's own git directory (AUTOSAVE_GIT_DIR, on a volume only
#     this container mounts), with its own index and only the config git-auth.sh writes;
#   - git lists the work tree's names (honouring .gitignore); each file is read by this script
#     with `dd iflag=nofollow` from inside a directory it has entered and checked to be in the
#     work tree, so no symbolic link is ever followed, and stored with `hash-object
#     --no-filters` (no attribute or filter applies). Symbolic links are stored as symbolic
#     links (the link text), nested git repositories are skipped;
#   - from the user's .git only HEAD, its ref and info/exclude are read, as text, and HEAD is
#     used only when it is a commit id;
#   - credentials are passed to the commands that talk to the remote and to nothing else, and
#     no message carries a file's content.
# The user's HEAD, branch, index and files are never touched.
#
# A snapshot holds every file git would add (.gitignore'd files are left out unless tracked)
# except files over the size limit, which are never read. Snapshots chain on the previous one;
# the first one of a helper git directory chains on the autosave branch's tip on the remote, or
# (no such branch yet) on the checked-out commit when the remote has it, else it has no parent.
# The helper's git directory is started afresh after a push when it grows over
# AUTOSAVE_GIT_MAX_MB: the next snapshot chains on the pushed tip again.
#
# Pushing never forces. When the remote branch has moved (another pod of the session, someone
# else), its tip is fetched and merged: a merge commit whose parents are the local snapshot
# and the remote tip and whose content is the work tree, so the push fast-forwards and the remote
# history is kept. A failed save or push is retried with exponential backoff; the sidecar keeps
# running, and later changes are folded into the next attempt. On SIGTERM it saves and pushes
# once more.
#
# Environment (defaults in brackets):
#   AUTOSAVE_WORK_TREE           the work tree, inside NOTEBOOK_HOME (required)
#   AUTOSAVE_REMOTE              remote URL or absolute path (required)
#   AUTOSAVE_BRANCH              branch pushed to, e.g. autosave/<session> (required)
#   NOTEBOOK_HOME                the user's home: nothing under it is trusted [the work tree's parent]
#   AUTOSAVE_DEBOUNCE_SECONDS    quiet period after the last change [30]
#   AUTOSAVE_MAX_FILE_SIZE_MB    files larger than this are never committed [10]
#   AUTOSAVE_WATCH               auto | inotify | poll: inotifywait when installed, else polling [auto]
#   AUTOSAVE_POLL_SECONDS        polling interval [5]
#   AUTOSAVE_RETRY_SECONDS       first delay after a failed save or push, doubled each time [5]
#   AUTOSAVE_RETRY_MAX_SECONDS   longest delay [300]
#   AUTOSAVE_STATE_DIR           private config and credentials, emptied on start [${TMPDIR:-/tmp}/autosave]
#   AUTOSAVE_GIT_DIR             the helper's git directory [${TMPDIR:-/tmp}/autosave-git]
#   AUTOSAVE_GIT_MAX_MB          size of AUTOSAVE_GIT_DIR that makes it start afresh [1024]
#   AUTOSAVE_AUTHOR_NAME/_EMAIL  commit identity [notebook-platform autosave, autosave@notebook-platform.invalid]
#   AUTOSAVE_ONCE=1 or --once    save and push once, then exit: 0 when pushed (or nothing to push), 1 if not
#   GIT_CREDENTIALS, GIT_SECRET_DIR, GIT_USERNAME, GIT_SSL_CAINFO: see git-auth.sh
set -uo pipefail
# Functions from the environment must not stand in for git or anything else used here.
while read -r _ _ name; do unset -f "$name"; done < <(declare -F)

log() { printf '%s autosave: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "$*"; exit 2; }
# A file name as the log shows it: quoted, so a newline or an escape in it stays one word.
shown() { printf '%q' "$1"; }

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
# Never in the home (the image's working directory): git there could find a repository the user made.
cd / || exit 2
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
WORK_TREE=${WORK_TREE%/}
HOME_DIR=${NOTEBOOK_HOME:-${WORK_TREE%/*}}
HOME_DIR=${HOME_DIR%/}
DEBOUNCE=${AUTOSAVE_DEBOUNCE_SECONDS:-30}
MAX_MB=${AUTOSAVE_MAX_FILE_SIZE_MB:-10}
WATCH=${AUTOSAVE_WATCH:-auto}
POLL=${AUTOSAVE_POLL_SECONDS:-5}
RETRY=${AUTOSAVE_RETRY_SECONDS:-5}
RETRY_MAX=${AUTOSAVE_RETRY_MAX_SECONDS:-300}
STATE_DIR=${AUTOSAVE_STATE_DIR:-${TMPDIR:-/tmp}/autosave}
GIT_STATE=${AUTOSAVE_GIT_DIR:-${TMPDIR:-/tmp}/autosave-git}
GIT_MAX_MB=${AUTOSAVE_GIT_MAX_MB:-1024}
for number in DEBOUNCE MAX_MB POLL RETRY RETRY_MAX GIT_MAX_MB; do
  [[ ${!number} =~ ^[0-9]+$ ]] || die "$number must be a whole number, not \"${!number}\""
done
for directory in WORK_TREE HOME_DIR STATE_DIR GIT_STATE; do
  [[ ${!directory} == /* ]] || die "$directory must be an absolute path, not \"${!directory}\""
done
# The work tree is a fixed path under the home; the helper's own directories are not.
case $WORK_TREE in
  "$HOME_DIR"/?*) ;;
  *) die "AUTOSAVE_WORK_TREE ($WORK_TREE) must be inside NOTEBOOK_HOME ($HOME_DIR)" ;;
esac
RELATIVE=${WORK_TREE#"$HOME_DIR"/}
[[ /$RELATIVE/ == */./* || /$RELATIVE/ == */../* || $RELATIVE == *//* ]] && die "AUTOSAVE_WORK_TREE must not contain . or .. parts: \"$WORK_TREE\""
for directory in STATE_DIR GIT_STATE; do
  case ${!directory}/ in "$HOME_DIR"/*) die "$directory (${!directory}) must not be inside NOTEBOOK_HOME ($HOME_DIR)" ;; esac
done
HOME_REAL=$(cd -P -- "$HOME_DIR" 2>/dev/null && pwd -P) || die "NOTEBOOK_HOME $HOME_DIR does not exist"
# Where the work tree really is: every check below compares with this.
WT_REAL=$HOME_REAL/$RELATIVE

# shellcheck source=git-auth.sh
. "$SCRIPT_DIR/git-auth.sh"
git_safe_setup "$STATE_DIR" "$REMOTE" "$HOME_DIR" || die "refusing to run git"
git_auth_setup "$STATE_DIR" "$REMOTE" || die "git credentials are not usable"
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

LOCAL_REF=refs/notebook-platform/$BRANCH
MAX_BYTES=$((MAX_MB * 1024 * 1024))
ZERO_ID=0000000000000000000000000000000000000000
declare -A WARNED=() SIGS=()

# The helper's git directory: created by us, its config rewritten on every start.
init_git_dir() {
  if [ -L "$GIT_STATE" ] || [ ! -f "$GIT_STATE/HEAD" ]; then
    if ! { rm -rf -- "$GIT_STATE" && (umask 077 && mkdir -p -- "$GIT_STATE") && git init --quiet --bare --template= -- "$GIT_STATE" >/dev/null; }; then
      die "cannot create the git directory $GIT_STATE"
    fi
  fi
  printf '[core]\n\trepositoryformatversion = 0\n\tbare = true\n' >"$GIT_STATE/config" || die "cannot write $GIT_STATE/config"
  mkdir -p -- "$GIT_STATE/info" || die "cannot write $GIT_STATE"
}
init_git_dir
export GIT_DIR=$GIT_STATE GIT_INDEX_FILE=$GIT_STATE/autosave-index
SIGS_FILE=$GIT_STATE/autosave-signatures
PUSHED_FILE=$GIT_STATE/autosave-pushed
PLAIN=$GIT_STATE/autosave-plain

g() { git "$@"; }
g_remote() { git "${GIT_AUTH_ARGS[@]}" "$@"; }

# Reading the work tree. $1 is a directory relative to the work tree ("" for its top), $2 a
# name in it. The subshell enters the directory and checks where it really is, so a symbolic
# link anywhere on the way (planted, or swapped in meanwhile) is refused, never followed; the
# name itself is opened with O_NOFOLLOW.
in_directory() {
  local directory=$WT_REAL${1:+/$1}
  cd -P -- "$directory" 2>/dev/null && [ "$(pwd -P)" = "$directory" ]
}
# copy_plain DIR NAME OUT MAX_BYTES: at most MAX_BYTES of a regular file into OUT.
copy_plain() {
  (in_directory "$1" || exit 3
    exec dd if="./$2" of="$3" iflag=nofollow,nonblock,count_bytes count="$4" bs=65536 status=none 2>/dev/null)
}
# link_plain DIR NAME OUT: the text of a symbolic link into OUT.
link_plain() {
  (in_directory "$1" || exit 3
    exec readlink -n -- "./$2" >"$3" 2>/dev/null)
}
split_path() { # sets DIR and NAME
  if [[ $1 == */* ]]; then DIR=${1%/*} NAME=${1##*/}; else DIR='' NAME=$1; fi
}

work_tree_ok() {
  (in_directory "") && return 0
  log "$WORK_TREE is missing or reached through a symbolic link; not saving"
  return 1
}

# The commit checked out in the work tree, from .git/HEAD and its ref read as text; 1 if there
# is none (no .git directory, an unborn branch, anything unexpected).
user_head() {
  local content ref line
  copy_plain .git HEAD "$PLAIN" 512 || return 1
  content=$(<"$PLAIN")
  if [[ $content =~ ^[0-9a-f]{40}$ ]]; then
    printf '%s\n' "$content"
    return 0
  fi
  [[ $content =~ ^ref:\ (refs/heads/[A-Za-z0-9._/-]+)$ ]] || return 1
  ref=${BASH_REMATCH[1]}
  git check-ref-format "$ref" || return 1
  split_path ".git/$ref"
  if copy_plain "$DIR" "$NAME" "$PLAIN" 512; then
    content=$(<"$PLAIN")
    [[ $content =~ ^[0-9a-f]{40}$ ]] && { printf '%s\n' "$content"; return 0; }
  fi
  copy_plain .git packed-refs "$PLAIN" 4194304 || return 1
  while IFS= read -r line; do
    if [[ $line =~ ^([0-9a-f]{40})\ (.+)$ ]] && [ "${BASH_REMATCH[2]}" = "$ref" ]; then
      printf '%s\n' "${BASH_REMATCH[1]}"
      return 0
    fi
  done <"$PLAIN"
  return 1
}

# Sets PARENT for the first snapshot of this git directory (see the header).
first_parent() {
  local tips line head
  PARENT=
  tips=$(g_remote ls-remote --heads -- "$REMOTE" "refs/heads/$BRANCH") || {
    log "cannot reach the remote to find where the snapshots start"
    return 1
  }
  while IFS= read -r line; do
    if [ "${line#*$'\t'}" = "refs/heads/$BRANCH" ]; then
      g_remote fetch --quiet --no-tags --depth=1 -- "$REMOTE" "refs/heads/$BRANCH" || return 1
      PARENT=$(g rev-parse -q --verify "FETCH_HEAD^{commit}") || return 1
      return 0
    fi
  done <<<"$tips"
  if ! head=$(user_head); then
    log "no checked-out commit in the work tree: the first snapshot has no parent"
    return 0
  fi
  if g_remote fetch --quiet --no-tags --depth=1 -- "$REMOTE" "$head" 2>/dev/null && g cat-file -e "$head^{commit}" 2>/dev/null; then
    PARENT=$head
  else
    log "the checked-out commit $head is not on the remote: the first snapshot has no parent"
  fi
}

# The index entries that make the helper's index match the work tree, NUL-terminated, into $1.
# Unchanged files (same type, size, inode and times as when last read) are not read again.
index_changes() {
  local out=$1 listed=$GIT_STATE/autosave-listed record path mode meta hex size mtime kind sha now
  local -A tracked=() meta_of=()
  local -a paths=()
  now=$(printf '%(%s)T' -1)
  : >"$out"
  g ls-files -z -s >"$listed" || return 1
  while IFS= read -r -d '' record; do
    meta=${record%%$'\t'*}
    path=${record#*$'\t'}
    tracked[$path]=${meta%% *}
    paths+=("$path")
  done <"$listed"
  # Names only: git reads .gitignore files here, and its messages (which could name what a
  # planted link points at) are not passed on.
  GIT_WORK_TREE=$WT_REAL g ls-files -z -o --exclude-standard >"$listed" 2>/dev/null || {
    log "cannot list the work tree"
    return 1
  }
  while IFS= read -r -d '' path; do
    if [[ $path == */ ]]; then
      if [ -z "${WARNED[$path]:-}" ]; then
        log "not saving $(shown "$path"): a git repository of its own"
        WARNED[$path]=1
      fi
      continue
    fi
    [ -n "${tracked[$path]:-}" ] || paths+=("$path")
  done <"$listed"
  # Type, size, inode and times without following links (a name that is gone has no line).
  if [ "${#paths[@]}" -gt 0 ]; then
    (in_directory "" || exit 3
      printf '%s\0' "${paths[@]}" | xargs -0 -r stat --printf '%f %s %i %.9Y %.9Z\0%n\0' -- 2>/dev/null) >"$listed"
    [ $? = 3 ] && { work_tree_ok; return 1; }
    while IFS= read -r -d '' meta && IFS= read -r -d '' path; do
      meta_of[$path]=$meta
    done <"$listed"
    rm -f -- "$listed"
  fi
  for path in "${paths[@]}"; do
    meta=${meta_of[$path]:-}
    mode=${tracked[$path]:-}
    if [ -z "$meta" ]; then
      [ -n "$mode" ] && printf '0 %s\t%s\0' "$ZERO_ID" "$path" >>"$out"
      unset 'SIGS[$path]'
      continue
    fi
    read -r hex size _ mtime _ <<<"$meta"
    case $((16#$hex & 8#170000)) in
      $((8#100000))) kind=100644; ((16#$hex & 8#100)) && kind=100755 ;;
      $((8#120000))) kind=120000 ;;
      # A submodule stays as recorded; a file that became a directory is replaced by its files.
      $((8#040000))) [ "$mode" = 160000 ] && continue; kind= ;;
      *) kind= ;;
    esac
    if [ -z "$kind" ]; then
      [ -n "$mode" ] && printf '0 %s\t%s\0' "$ZERO_ID" "$path" >>"$out"
      continue
    fi
    [ "$mode" = "$kind" ] && [ "${SIGS[$path]:-}" = "$meta" ] && continue
    if [ "$kind" != 120000 ] && [ "$size" -gt "$MAX_BYTES" ]; then
      if [ -z "${WARNED[$path]:-}" ]; then
        log "not saving $(shown "$path"): $size bytes is over the $MAX_MB MB limit"
        WARNED[$path]=1
      fi
      continue
    fi
    split_path "$path"
    if [ "$kind" = 120000 ]; then
      link_plain "$DIR" "$NAME" "$PLAIN" || { unreadable "$path"; continue; }
    else
      copy_plain "$DIR" "$NAME" "$PLAIN" $((MAX_BYTES + 1)) || { unreadable "$path"; continue; }
      [ "$(stat -c %s -- "$PLAIN")" -gt "$MAX_BYTES" ] && continue # it grew meanwhile
    fi
    sha=$(g hash-object -w --no-filters -- "$PLAIN") || return 1
    printf '%s %s\t%s\0' "$kind" "$sha" "$path" >>"$out"
    # A file changed within the last seconds may change again with the same times: read it again next time.
    if [ "${mtime%%.*}" -lt $((now - 2)) ]; then SIGS[$path]=$meta; else unset 'SIGS[$path]'; fi
  done
  rm -f -- "$PLAIN"
}

unreadable() {
  if [ -z "${WARNED[$1]:-}" ]; then
    log "not saving $(shown "$1"): it cannot be read without following a symbolic link"
    WARNED[$1]=1
  fi
}

save_signatures() {
  local path
  for path in "${!SIGS[@]}"; do printf '%s\0%s\0' "$path" "${SIGS[$path]}"; done >"$SIGS_FILE"
}
load_signatures() {
  local path meta
  SIGS=()
  [ -f "$SIGS_FILE" ] || return 0
  while IFS= read -r -d '' path && IFS= read -r -d '' meta; do SIGS[$path]=$meta; done <"$SIGS_FILE"
}

# Commits the work tree onto LOCAL_REF when it differs from the last snapshot.
snapshot() {
  local parent tree commit changes=$GIT_STATE/autosave-changes
  if parent=$(g rev-parse -q --verify "$LOCAL_REF^{commit}"); then
    [ -f "$GIT_INDEX_FILE" ] || g read-tree "$parent" || return 1
  else
    first_parent || return 1
    parent=$PARENT
    if [ -n "$parent" ]; then g read-tree "$parent" || return 1; else g read-tree --empty || return 1; fi
    SIGS=()
  fi
  # The user's own exclude patterns, as text.
  copy_plain .git/info exclude "$GIT_STATE/info/exclude" 1048576 || : >"$GIT_STATE/info/exclude"
  index_changes "$changes" || return 1
  if [ -s "$changes" ]; then
    g update-index -z --replace --index-info <"$changes" 2>/dev/null || log "some names could not be saved (git refuses them as paths)"
  fi
  save_signatures
  tree=$(g write-tree) || return 1
  if [ -n "$parent" ] && [ "$tree" = "$(g rev-parse "$parent^{tree}")" ]; then return 0; fi
  commit=$(g commit-tree "$tree" ${parent:+-p "$parent"} -m "autosave $(date -u +%Y-%m-%dT%H:%M:%SZ)") || return 1
  g update-ref -m autosave "$LOCAL_REF" "$commit" || return 1
  log "saved $commit"
}

# Pushes LOCAL_REF to the branch if it has not been pushed yet. Never forces.
push() {
  local commit remote merge
  commit=$(g rev-parse -q --verify "$LOCAL_REF^{commit}") || return 0
  [ "$commit" = "$(cat -- "$PUSHED_FILE" 2>/dev/null)" ] && return 0
  if g_remote push --quiet --no-verify -- "$REMOTE" "$commit:refs/heads/$BRANCH"; then
    printf '%s\n' "$commit" >"$PUSHED_FILE"
    log "pushed $commit to $BRANCH"
    return 0
  fi
  # Rejected or unreachable. If the branch moved on the remote, fold its tip in and retry.
  g_remote fetch --quiet --no-tags --depth=1 -- "$REMOTE" "refs/heads/$BRANCH" 2>/dev/null || return 1
  remote=$(g rev-parse -q --verify "FETCH_HEAD^{commit}") || return 1
  if g merge-base --is-ancestor "$remote" "$commit" 2>/dev/null; then
    return 1 # the remote has nothing we lack: the failure was not a moved branch
  fi
  merge=$(g commit-tree "$commit^{tree}" -p "$commit" -p "$remote" -m "autosave: merge $BRANCH from the remote (the work tree's content wins)") || return 1
  g update-ref -m "autosave merge" "$LOCAL_REF" "$merge" "$commit" || return 1
  log "the remote $BRANCH moved; merged its history"
  if g_remote push --quiet --no-verify -- "$REMOTE" "$merge:refs/heads/$BRANCH"; then
    printf '%s\n' "$merge" >"$PUSHED_FILE"
    log "pushed $merge to $BRANCH"
    return 0
  fi
  return 1
}

# After a push: a git directory grown too big starts afresh (it only ever needs the pushed tip).
prune() {
  local megabytes
  megabytes=$(du -sm -- "$GIT_STATE" 2>/dev/null | cut -f1)
  [ "${megabytes:-0}" -gt "$GIT_MAX_MB" ] || return 0
  log "the helper's git directory holds $megabytes MB; starting it afresh"
  rm -rf -- "$GIT_STATE"
  init_git_dir
  SIGS=()
}

save() {
  work_tree_ok || return 1
  snapshot || { log "snapshot failed"; return 1; }
  push || { log "push to $BRANCH failed"; return 1; }
  prune
}

g rev-parse -q --verify "$LOCAL_REF" >/dev/null && load_signatures

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
