# shellcheck shell=bash
# control-plane build: the pinned binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubectl, etcd, kwok) from a matching binary on PATH or built from their Go
# modules into the cache, and the kwok stages next to them. Sourced by scripts/control-plane.

# binary_version NAME PATH: print the version the binary reports, or nothing.
binary_version() {
  local name="$1" path="$2" out
  case "$name" in
    kubectl)
      out="$("$path" version --client -o json 2>/dev/null)" || return 0
      printf '%s' "$out" | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -n1
      ;;
    etcd)
      out="$("$path" --version 2>/dev/null)" || return 0
      printf '%s\n' "$out" | sed -n 's/^etcd Version: *\(.*\)$/v\1/p' | head -n1
      ;;
    kwok)
      out="$("$path" --version 2>/dev/null)" || return 0
      printf '%s\n' "$out" | grep -o 'v[0-9][0-9.]*[0-9]' | head -n1
      ;;
    *)
      out="$("$path" --version 2>/dev/null)" || return 0
      printf '%s\n' "$out" | sed -n 's/^Kubernetes *\(v[^ ]*\)$/\1/p' | head -n1
      ;;
  esac
}

# use_path_binary NAME WANT DEST: link DEST to a PATH binary NAME when its
# version is exactly WANT. Returns non-zero when there is no such binary.
use_path_binary() {
  local name="$1" want="$2" dest="$3" found have
  found="$(PATH="$(path_without_cache)" command -v "$name" 2>/dev/null)" || return 1
  have="$(binary_version "$name" "$found")"
  if [[ "$have" == "$want" ]]; then
    log "using $found ($have) from PATH for $name"
    ln -sfn "$found" "$dest"
    return 0
  fi
  log "ignoring $found for $name: version '${have:-unknown}' != $want"
  return 1
}

# PATH without our own cache dirs, so we never "find" our own links.
path_without_cache() {
  local out="" p
  local IFS=:
  for p in $PATH; do
    [[ "$p" == "$CACHE_ROOT"* ]] && continue
    out="${out:+$out:}$p"
  done
  printf '%s' "$out"
}

# go_build SRC_DIR OUT PKG LDFLAGS: build PKG in the module at SRC_DIR into
# OUT (atomically, so an interrupted build never leaves a half binary).
go_build() {
  local src="$1" out="$2" pkg="$3" ldflags="$4" start=$SECONDS
  log "building $(basename "$out") from $pkg (go build -p $GO_BUILD_P)"
  (cd "$src" && run_with_progress "$(basename "$out")" \
    go build -p "$GO_BUILD_P" -trimpath -tags selinux,notest \
      -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg") \
    || { rm -f "$out.tmp"; die "building $(basename "$out") failed"; }
  mv -f "$out.tmp" "$out"
  log "built $(basename "$out") in $((SECONDS - start))s"
}

require_go() {
  command -v go >/dev/null 2>&1 \
    || die "building needs Go >= 1.26 on PATH (binaries go to $BIN_DIR)"
  local v
  v="$(go env GOVERSION)"
  if [[ ! "$v" =~ ^go1\.([0-9]+) ]] || ((BASH_REMATCH[1] < 26)); then
    die "building needs Go >= 1.26 (have $v); GOTOOLCHAIN=local is set so Go will not fetch one"
  fi
}

# The wrapper module that builds the control plane's Kubernetes binaries (see write_k8s_wrapper_module).
prepare_k8s_module() {
  local src="$K8S_DIR/src"
  if [[ -f "$src/.ready" ]]; then return 0; fi
  mkdir -p "$src"
  log "preparing wrapper module for k8s.io/kubernetes $K8S_VERSION in $src"
  write_k8s_wrapper_module "$src" notebook-platform.local/k8s-build \
    kube-apiserver kube-controller-manager kube-scheduler kubectl
  log "  resolving dependencies (go mod tidy)"
  (cd "$src" && run_with_progress "go mod tidy (k8s)" go mod tidy) \
    || die "go mod tidy failed in $src"
  touch "$src/.ready"
}

prepare_etcd_module() {
  local src="$ETCD_DIR/src" m
  if [[ -f "$src/.ready" ]]; then return 0; fi
  mkdir -p "$src"
  log "preparing wrapper module for etcd $ETCD_VERSION in $src"
  # etcd's own go.mod replaces its sibling modules with ../ paths, which do
  # not apply here: require them at the same tag instead.
  {
    printf 'module notebook-platform.local/etcd-build\n\ngo 1.26.0\n\nrequire (\n'
    for m in server/v3 api/v3 client/pkg/v3 client/v3 pkg/v3; do
      printf '\tgo.etcd.io/etcd/%s %s\n' "$m" "$ETCD_VERSION"
    done
    printf ')\n\ntool go.etcd.io/etcd/server/v3\n'
  } >"$src/go.mod"
  (cd "$src" && run_with_progress "go mod tidy (etcd)" go mod tidy) \
    || die "go mod tidy failed in $src"
  touch "$src/.ready"
}

prepare_kwok_module() {
  local src="$KWOK_DIR/src"
  if [[ -f "$src/.ready" ]]; then return 0; fi
  mkdir -p "$src"
  log "preparing wrapper module for kwok $KWOK_VERSION in $src"
  printf 'module notebook-platform.local/kwok-build\n\ngo 1.26.0\n\nrequire sigs.k8s.io/kwok %s\n\ntool sigs.k8s.io/kwok/cmd/kwok\n' \
    "$KWOK_VERSION" >"$src/go.mod"
  (cd "$src" && run_with_progress "go mod tidy (kwok)" go mod tidy) \
    || die "go mod tidy failed in $src"
  touch "$src/.ready"
}

# kwok's stand-alone controller needs its stages (what to do with nodes, pods
# and volumes) in its config; they ship as YAML in the kwok module. Keep the
# ones we use next to the binary.
readonly KWOK_STAGE_FILES=(
  kustomize/stage/node/fast/node-initialize.yaml
  kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  kustomize/stage/pod/fast/pod-ready.yaml
  kustomize/stage/pod/fast/pod-complete.yaml
  kustomize/stage/pod/fast/pod-delete.yaml
  kustomize/stage/volume/fast/pvc-provision.yaml
  kustomize/stage/volume/fast/pv-bind.yaml
  kustomize/stage/volume/fast/pvc-delete.yaml
  kustomize/stage/volume/fast/pv-delete.yaml
)

prepare_kwok_stages() {
  local dest="$KWOK_DIR/stages" moddir f
  [[ -f "$dest/.ready" ]] && return 0
  mkdir -p "$dest"
  moddir="$(cd "$KWOK_DIR" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": *"\([^"]*\)".*/\1/p')"
  [[ -d "$moddir" ]] || die "could not download sigs.k8s.io/kwok@$KWOK_VERSION"
  for f in "${KWOK_STAGE_FILES[@]}"; do
    [[ -f "$moddir/$f" ]] || die "kwok $KWOK_VERSION has no $f"
    cp "$moddir/$f" "$dest/$(basename "$f")"
  done
  chmod u+w "$dest"/*.yaml
  touch "$dest/.ready"
}

cmd_build() {
  local total_start=$SECONDS built=0 name
  mkdir -p "$BIN_DIR" "$ETCD_DIR/bin" "$KWOK_DIR/bin"
  # One build at a time per cache (e.g. two test runs starting at once).
  exec 9>"$CACHE_ROOT/.build.lock"
  if ! flock -n 9; then
    log "another build holds $CACHE_ROOT/.build.lock; waiting"
    flock 9
  fi

  for name in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    [[ -x "$BIN_DIR/$name" ]] && continue
    use_path_binary "$name" "$K8S_VERSION" "$BIN_DIR/$name" && continue
    require_go
    prepare_k8s_module
    go_build "$K8S_DIR/src" "$BIN_DIR/$name" "k8s.io/kubernetes/cmd/$name" "$(k8s_ldflags)"
    built=$((built + 1))
  done

  if [[ ! -x "$ETCD_DIR/bin/etcd" ]] \
    && ! use_path_binary etcd "$ETCD_VERSION" "$ETCD_DIR/bin/etcd"; then
    require_go
    prepare_etcd_module
    go_build "$ETCD_DIR/src" "$ETCD_DIR/bin/etcd" go.etcd.io/etcd/server/v3 ""
    built=$((built + 1))
  fi
  ln -sfn "$ETCD_DIR/bin/etcd" "$BIN_DIR/etcd"

  if [[ ! -x "$KWOK_DIR/bin/kwok" ]] \
    && ! use_path_binary kwok "$KWOK_VERSION" "$KWOK_DIR/bin/kwok"; then
    require_go
    prepare_kwok_module
    go_build "$KWOK_DIR/src" "$KWOK_DIR/bin/kwok" sigs.k8s.io/kwok/cmd/kwok \
      "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
    built=$((built + 1))
  fi
  ln -sfn "$KWOK_DIR/bin/kwok" "$BIN_DIR/kwok"
  prepare_kwok_stages

  exec 9>&-
  if ((built > 0)); then
    log "built $built binaries in $((SECONDS - total_start))s; binaries in $BIN_DIR"
  else
    log "all binaries present in $BIN_DIR"
  fi
}

cmd_env() {
  printf '%s\n' "$BIN_DIR"
}
