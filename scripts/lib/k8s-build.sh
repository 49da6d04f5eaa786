# shellcheck shell=bash
# What scripts/control-plane and scripts/real-node share to build Kubernetes binaries from the
# k8s.io/kubernetes module. The caller sets K8S_VERSION.

# k8s_ldflags: the -X flags that make a binary built from the module (not from a release tree)
# report K8S_VERSION, as `kubectl version` and the API server's /version show it.
k8s_ldflags() {
  local minor="${K8S_VERSION#v1.}" flags="" pkg
  minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$flags"
}

# write_k8s_wrapper_module SRC MODULE CMD...: SRC/go.mod of a wrapper module named MODULE that
# builds k8s.io/kubernetes/cmd/<CMD> at K8S_VERSION. k8s.io/kubernetes requires its staging
# modules at v0.0.0 => ./staging/..., which only hold inside its own tree: each is replaced by
# its published v0.Y.Z. Prints how many were replaced; the caller resolves (go mod tidy).
write_k8s_wrapper_module() {
  local src="$1" module="$2" gomod staging_version mods m
  shift 2
  gomod="$(cd "$src" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" \
    | sed -n 's/^[[:space:]]*"GoMod": *"\([^"]*\)".*/\1/p')"
  [[ -f "$gomod" ]] || die "could not download go.mod of k8s.io/kubernetes@$K8S_VERSION"
  staging_version="v0.${K8S_VERSION#v1.}"
  mods="$(sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/.*#\1#p' "$gomod" | sort -u)"
  [[ -n "$mods" ]] || die "no staging modules found in $gomod"
  {
    printf 'module %s\n\ngo 1.26.0\n\n' "$module"
    printf 'require k8s.io/kubernetes %s\n\nreplace (\n' "$K8S_VERSION"
    for m in $mods; do printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"; done
    printf ')\n\ntool (\n'
    for m in "$@"; do printf '\tk8s.io/kubernetes/cmd/%s\n' "$m"; done
    printf ')\n'
  } >"$src/go.mod"
  log "  $(wc -w <<<"$mods") staging modules replaced at $staging_version"
}
