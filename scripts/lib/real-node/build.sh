# shellcheck shell=bash
# real-node build: the node's binaries (kubelet, kube-proxy, kube-router, CoreDNS) from their Go
# modules into the cache, and the Debian packages the node needs. Sourced by scripts/real-node.

# go_build SRC_DIR OUT PKG LDFLAGS [TAGS]: build PKG in the module at SRC_DIR
# into OUT atomically; the build time goes to OUT.build-seconds.
go_build() {
  local src="$1" out="$2" pkg="$3" ldflags="$4" tags="${5:-}" start=$SECONDS
  log "building $(basename "$out") from $pkg (go build -p $GO_BUILD_P)"
  (cd "$src" && run_with_progress "$(basename "$out")" \
    go build -p "$GO_BUILD_P" -trimpath ${tags:+-tags "$tags"} \
      -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg") \
    || { rm -f "$out.tmp"; die "building $(basename "$out") failed"; }
  mv -f "$out.tmp" "$out"
  printf '%s\n' "$((SECONDS - start))" >"$out.build-seconds"
  log "built $(basename "$out") in $((SECONDS - start))s"
}

require_go() {
  command -v go >/dev/null 2>&1 || die "building needs Go >= 1.26 on PATH"
  local v
  v="$(go env GOVERSION)"
  if [[ ! "$v" =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < 26)); then
    die "building needs Go >= 1.26 (have $v); GOTOOLCHAIN=local is set so Go will not fetch one"
  fi
}

ensure_apt_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || die "missing Debian packages (${missing[*]}) and not root to install them"
  log "installing Debian packages: ${missing[*]}"
  local start=$SECONDS
  DEBIAN_FRONTEND=noninteractive run_with_progress "apt-get update" apt-get update -qq >&2 \
    || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive run_with_progress "apt-get install" \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
  log "installed ${missing[*]} in $((SECONDS - start))s"
}

# The wrapper module that builds the node's Kubernetes binaries, in a directory of its own (see
# write_k8s_wrapper_module).
prepare_node_k8s_module() {
  local src="$NODE_K8S_DIR/src"
  [[ -f "$src/.ready" ]] && return 0
  mkdir -p "$src"
  log "preparing wrapper module for kubelet/kube-proxy $K8S_VERSION in $src"
  write_k8s_wrapper_module "$src" notebook-platform.local/k8s-node-build kubelet kube-proxy
  (cd "$src" && run_with_progress "go mod tidy (kubelet)" go mod tidy) || die "go mod tidy failed in $src"
  touch "$src/.ready"
}

# prepare_simple_module DIR NAME MODULE VERSION PKG: a wrapper module that
# requires MODULE@VERSION and builds PKG as a tool.
prepare_simple_module() {
  local src="$1/src" name="$2" mod="$3" version="$4" pkg="$5"
  [[ -f "$src/.ready" ]] && return 0
  mkdir -p "$src"
  log "preparing wrapper module for $mod $version in $src"
  printf 'module notebook-platform.local/%s-build\n\ngo 1.26.0\n\nrequire %s %s\n\ntool %s\n' \
    "$name" "$mod" "$version" "$pkg" >"$src/go.mod"
  (cd "$src" && run_with_progress "go mod tidy ($name)" go mod tidy) || die "go mod tidy failed in $src"
  touch "$src/.ready"
}

# Our probe binary (scripts/lib/real-node), cached by a hash of its source so
# an edit rebuilds it.
tools_dir() {
  local h
  h="$(cd "$LIB_DIR" && cat go.mod probe/main.go | sha256sum | cut -c1-16)"
  printf '%s' "$CACHE_ROOT/real-node-tools-$h"
}

cmd_build() {
  local total_start=$SECONDS built=0 name tdir
  ensure_apt_packages
  mkdir -p "$NODE_K8S_DIR/bin" "$KROUTER_DIR/bin" "$COREDNS_DIR/bin" "$CACHE_ROOT/logs"
  # One build at a time per cache, shared with scripts/control-plane (its
  # binaries use the same Go build cache, so a parallel build only doubles work).
  exec 8>"$CACHE_ROOT/.real-node-build.lock"
  if ! flock -n 8; then
    log "another real-node build holds $CACHE_ROOT/.real-node-build.lock; waiting"
    flock 8
  fi

  tdir="$(tools_dir)"
  if [[ ! -x "$tdir/probe" ]]; then
    require_go
    mkdir -p "$tdir"
    go_build "$LIB_DIR" "$tdir/probe" ./probe ""
    built=$((built + 1))
  fi

  if [[ ! -x "$COREDNS_DIR/bin/coredns" ]]; then
    require_go
    prepare_simple_module "$COREDNS_DIR" coredns github.com/coredns/coredns "$COREDNS_VERSION" \
      github.com/coredns/coredns
    go_build "$COREDNS_DIR/src" "$COREDNS_DIR/bin/coredns" github.com/coredns/coredns \
      "-X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION"
    built=$((built + 1))
  fi

  if [[ ! -x "$KROUTER_DIR/bin/kube-router" ]]; then
    require_go
    prepare_simple_module "$KROUTER_DIR" kube-router github.com/cloudnativelabs/kube-router/v2 \
      "$KROUTER_VERSION" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
    go_build "$KROUTER_DIR/src" "$KROUTER_DIR/bin/kube-router" \
      github.com/cloudnativelabs/kube-router/v2/cmd/kube-router \
      "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KROUTER_VERSION -X github.com/cloudnativelabs/kube-router/v2/pkg/version.BuildDate=1970-01-01T00:00:00Z"
    built=$((built + 1))
  fi

  # Same tags and ldflags as the control plane's binaries, so the packages
  # they share come from the Go build cache; and after its build (its lock),
  # since building the same packages side by side only doubles the work.
  if [[ ! -x "$NODE_K8S_DIR/bin/kubelet" || ! -x "$NODE_K8S_DIR/bin/kube-proxy" ]]; then
    exec 9>"$CACHE_ROOT/.build.lock"
    if ! flock -n 9; then
      log "waiting for the control plane build (it holds $CACHE_ROOT/.build.lock)"
      flock 9
    fi
  fi
  for name in kubelet kube-proxy; do
    [[ -x "$NODE_K8S_DIR/bin/$name" ]] && continue
    require_go
    prepare_node_k8s_module
    go_build "$NODE_K8S_DIR/src" "$NODE_K8S_DIR/bin/$name" "k8s.io/kubernetes/cmd/$name" \
      "$(k8s_ldflags)" "selinux,notest"
    built=$((built + 1))
  done

  exec 8>&- 9>&-
  if ((built > 0)); then
    log "built $built binaries in $((SECONDS - total_start))s"
  else
    log "all real-node binaries present"
  fi
}
