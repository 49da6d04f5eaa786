# shellcheck shell=bash
# A stack's lock and pending operations, for scripts/demo and scripts/ci-steps. The caller
# defines log, has pulumi (and pulumi-guard) on PATH, and the backend in the environment.
#
# A run killed half-way (SIGKILL, a lost CI runner) leaves two things in the stack's state:
#   - its lock, .pulumi/locks/<org>/<project>/<stack>/<uuid>.json in the backend (file or S3),
#     {"pid":…,"username":…,"hostname":…,"timestamp":…}: every later up or refresh is refused
#     ("the stack is currently locked by 1 lock(s)…") until it is deleted;
#   - pending operations: each later up warns about them until a refresh clears them, and only
#     `pulumi refresh --clear-pending-creates` clears pending creates without a prompt.
# pulumi_locked clears a lock by itself only when its process is certainly gone: written by this
# host and its pid is not running (or is a newer process that reused the pid). Any other lock is
# left alone, with the commands to run once its owner is known to be gone.

# Token Secrets whose pending creates this shell cleared (namespace/Secret/name).
PULUMI_STATE_CLEARED_TOKENS=()

# pulumi: every CLI run goes through pulumi-guard, which ends whatever a killed CLI left running.
pulumi() {
	if command -v pulumi-guard >/dev/null 2>&1; then
		pulumi-guard run pulumi "$@"
	else
		command pulumi "$@"
	fi
}

# lock_is_stale HOST PID TIMESTAMP: the lock's process is gone from this host.
lock_is_stale() {
	local host="$1" pid="$2" ts="$3" stat started boot
	[[ "$host" == "$(hostname)" ]] || return 1
	stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 0
	stat="${stat##*) }"
	# shellcheck disable=SC2086 # split into the stat fields: state is 1, start time (ticks since boot) 20
	set -- $stat
	[[ "$1" == Z ]] && return 0
	boot="$(sed -n 's/^btime //p' /proc/stat)"
	started=$((boot + ${20} / $(getconf CLK_TCK)))
	# A process started after the lock was written is not the one that wrote it.
	((started > $(date -d "$ts" +%s) + 1))
}

# clear_stale_locks STACK CONFIG REFUSAL_FILE: delete the locks a refusal lists if every one is
# stale; otherwise print what to run and return 1.
clear_stale_locks() {
	local stack="$1" config="$2" refusal="$3" url user host pid ts live=0 stale=() line
	while IFS= read -r line; do
		[[ "$line" =~ ^\ +(.+):\ created\ by\ (.*)@([^@\ ]+)\ \(pid\ ([0-9]+)\)\ at\ (.+)$ ]] || continue
		url="${BASH_REMATCH[1]}" user="${BASH_REMATCH[2]}" host="${BASH_REMATCH[3]}" pid="${BASH_REMATCH[4]}" ts="${BASH_REMATCH[5]}"
		if lock_is_stale "$host" "$pid" "$ts"; then
			log "stale lock of stack $stack: $user@$host pid $pid (not running on this host) since $ts: $url"
			stale+=("$url")
		else
			log "lock of stack $stack held by $user@$host pid $pid since $ts: $url"
			live=$((live + 1))
		fi
	done <"$refusal"
	if ((live > 0 || ${#stale[@]} == 0)); then
		log "not removing a lock whose process may still run (another host, or a running pid). Once it is gone:"
		log "  pulumi cancel --stack $stack --yes    # deletes the stack's locks, nothing else"
		log "  pulumi refresh --stack $stack${config:+ --config-file $config} --yes --skip-preview --clear-pending-creates    # what the dead run left pending"
		log "then run this command again."
		return 1
	fi
	for url in "${stale[@]}"; do
		if [[ "$url" == file://* ]]; then
			# The file backend: exactly that lock (and fileblob's attributes beside it).
			url="${url#file://}"
			url="${url%%\?*}"
			rm -f -- "$url" "$url.attrs"
		else
			# Other backends (S3): pulumi cancel deletes the stack's locks, all stale here.
			pulumi cancel --stack "$stack" --yes >&2
			break
		fi
	done
	log "removed the stale lock(s) of stack $stack"
}

# repair_file_backend: what a run killed inside a write left in a file backend
# (PULUMI_BACKEND_URL=file://…; other backends write each object at once).
#
# The file backend writes an object (a checkpoint, a lock, a history entry) as: a temp file
# `<object>.<hex>.tmp` beside it, then the object's attributes `<object>.attrs` in place
# (truncate, then write), then a rename of the temp file over the object. Killed in between:
#   - an empty `.attrs`: every later read of the object fails with a bare "error: EOF" (stack ls,
#     up, export; seen after `npm start` was SIGKILLed half-way). The object is the previous
#     version, intact (the rename never happened); its attributes hold only a content type and a
#     checksum that reads do not check, and a missing file reads as the defaults: removing it
#     loses nothing.
#   - a temp file among the stack's locks: it counts as a lock, unreadable when empty, and every
#     later up fails on it. The run that wrote it never held the lock; it is removed when that
#     run is certainly gone (lock_is_stale on what it says), or, empty or unreadable, once it is
#     ten seconds old (a write takes milliseconds).
# A stack's checkpoint temp files are ignored by the backend and left alone.
repair_file_backend() {
	local url="${PULUMI_BACKEND_URL:-}" root broken=() file host pid ts
	[[ "$url" == file://* ]] || return 0
	root="${url#file://}"
	root="${root%%\?*}/.pulumi"
	[[ -d "$root" ]] || return 0
	mapfile -t broken < <(find "$root" -type f -name '*.attrs' -print0 | node -e '
		let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
			for (const f of s.split("\0").filter(Boolean)) {
				try { JSON.parse(require("fs").readFileSync(f,"utf8")) } catch { console.log(f) } }})')
	while IFS=$'\t' read -r file host pid ts; do
		if [[ -n "$pid" ]]; then
			lock_is_stale "$host" "$pid" "$ts" && broken+=("$file")
		elif (($(date +%s) - $(stat -c %Y -- "$file" 2>/dev/null || date +%s) > 10)); then
			broken+=("$file")
		fi
	done < <([[ -d "$root/locks" ]] && find "$root/locks" -type f -name '*.tmp' -print0 | node -e '
		let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
			for (const f of s.split("\0").filter(Boolean)) {
				let l={}; try { l=JSON.parse(require("fs").readFileSync(f,"utf8")) } catch {}
				console.log([f, l.hostname??"", Number.isInteger(l.pid)?l.pid:"", l.timestamp??""].join("\t")) }})')
	((${#broken[@]} > 0)) || return 0
	log "the file backend holds what an interrupted write left (the objects themselves are intact); removing:"
	for file in "${broken[@]}"; do
		log "  $file"
		rm -f -- "$file"
	done
}

# pending_operations STACK: "<type> <urn>" per pending operation in the stack's state.
pending_operations() {
	command pulumi stack export --stack "$1" 2>/dev/null | node -e '
		let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
			let state; try { state=JSON.parse(s) } catch { process.exit(1) }
			for (const op of state.deployment?.pending_operations ?? []) console.log(op.type, op.resource?.urn)})'
}

# clear_pending_operations STACK CONFIG: what a killed run left pending, cleared by a refresh
# (it takes the lock: a live run refuses it). The objects stay in the cluster: a create that did
# happen is adopted by the next up.
clear_pending_operations() {
	local stack="$1" config="$2" ops
	# No state to read (a new stack, no access): nothing to clear here; the next command says why.
	ops="$(pending_operations "$stack")" || return 0
	[[ -n "$ops" ]] || return 0
	log "stack $stack has $(wc -l <<<"$ops") pending operation(s) left by an interrupted run:"
	while IFS= read -r line; do log "  $line"; done <<<"$ops"
	# Token Secrets among the creates (URN name <namespace>/Secret/<session>-token): see token_secret_hint.
	mapfile -t PULUMI_STATE_CLEARED_TOKENS < <(sed -n 's|^creating urn:.*:Secret::\([a-z0-9-]*/Secret/[a-z0-9-]*-token\)$|\1|p' <<<"$ops")
	log "clearing them: pulumi refresh --stack $stack --yes --skip-preview --clear-pending-creates"
	PULUMI_STATE_REFRESHING=1 pulumi_locked "$stack" "$config" pulumi refresh --stack "$stack" --config-file "$config" --yes --skip-preview \
		--clear-pending-creates --non-interactive --suppress-outputs
}

# pulumi_locked STACK CONFIG CMD...: run CMD (a pulumi command that takes the stack's lock). When
# a stale lock refuses it: clear the lock and the pending operations, run CMD again.
pulumi_locked() {
	local stack="$1" config="$2" refusal rc=0
	shift 2
	refusal="$(mktemp)"
	"$@" 2> >(tee "$refusal" >&2) || rc=$?
	wait "$!" 2>/dev/null || true
	if ((rc != 0)) && grep -q 'the stack is currently locked by' "$refusal"; then
		if clear_stale_locks "$stack" "$config" "$refusal"; then
			rm -f "$refusal"
			[[ -n "${PULUMI_STATE_REFRESHING:-}" ]] || clear_pending_operations "$stack" "$config" || return
			log "running again: ${*:1:3} ..."
			rc=0
			"$@" || rc=$?
			((rc == 0)) || token_secret_hint
			return "$rc"
		fi
	fi
	rm -f "$refusal"
	((rc == 0)) || token_secret_hint
	return "$rc"
}

# token_secret_hint: after a failed command, the session token Secrets whose pending creates
# were cleared. Such a Secret exists but is in no state: the next up creates it again with a new
# token, and server-side apply refuses to take .data.token from the dead run's field manager
# ("Server-Side Apply field conflict"). It holds no user data and its token was never shown (the
# run wrote no outputs): deleting it is safe, and left to the operator.
token_secret_hint() {
	((${#PULUMI_STATE_CLEARED_TOKENS[@]} > 0)) || return 0
	log "if that failed with a Server-Side Apply field conflict on a token Secret: the interrupted run created"
	log "it without recording it (no user data; its token was never shown). Delete it, then run this again:"
	local secret
	for secret in "${PULUMI_STATE_CLEARED_TOKENS[@]}"; do
		log "  kubectl delete secret ${secret#*/Secret/} -n ${secret%%/*} --ignore-not-found"
	done
}
