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
