# shellcheck shell=bash
# real-node container runtime: cgroups, containerd's configuration and snapshotter, the CNI
# network, and the images imported into containerd. Sourced by scripts/real-node.

setup_cgroups() {
  local mnt
  : >"$STATE/cgroup-mounts"
  # runc also mirrors the tree into a cgroup2 ("unified") mount when there
  # is one: remembered so stop removes it there too.
  awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo >>"$STATE/cgroup-mounts"
  while read -r mnt; do
    [[ -d "$mnt" ]] || continue
    printf '%s\n' "$mnt" >>"$STATE/cgroup-mounts"
    [[ -d "$mnt/$CGROUP_NAME" ]] || mkdir "$mnt/$CGROUP_NAME"
    # A new cpuset cgroup starts with no CPUs or memory nodes: copy the parent's.
    if [[ -f "$mnt/cpuset.cpus" ]]; then
      cat "$mnt/cpuset.cpus" >"$mnt/$CGROUP_NAME/cpuset.cpus"
      cat "$mnt/cpuset.mems" >"$mnt/$CGROUP_NAME/cpuset.mems"
    fi
  done < <(awk '$9 == "cgroup" {print $5}' /proc/self/mountinfo)
}

write_containerd_config() {
  local c="$STATE/containerd"
  mkdir -p "$c" "$STATE/cni/net.d" "$STATE/cni/ipam"
  cat >"$c/config.toml" <<TOML
version = 2
root = "$c/root"
state = "$c/state"
oom_score = 0

[grpc]
  address = "$CONTAINERD_SOCK"

[ttrpc]
  address = ""

[debug]
  address = ""

[metrics]
  address = ""

[plugins]
  # The default would create /opt/containerd.
  [plugins."io.containerd.internal.v1.opt"]
    path = "$c/opt"

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "$SANDBOX_REF"
    # The VM withholds CAP_SYS_RESOURCE: runc cannot lower oom_score_adj.
    restrict_oom_score_adj = true
    # Network namespaces under our state dir, not /run/netns.
    netns_mounts_under_state_dir = true
    enable_selinux = false
    disable_apparmor = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    max_container_log_line_size = 16384

    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "$SNAPSHOTTER"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          BinaryName = "$(command -v runc)"
          Root = "$c/runc"
          SystemdCgroup = false

    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$CNI_BIN_DIR"
      conf_dir = "$STATE/cni/net.d"
      max_conf_num = 1
TOML
}

# overlayfs when the kernel and the state dir's file system support it.
pick_snapshotter() {
  local t="$STATE/overlay-test" ok=""
  mkdir -p "$t"/{lower,upper,work,merged}
  if mount -t overlay overlay -o "lowerdir=$t/lower,upperdir=$t/upper,workdir=$t/work" "$t/merged" 2>/dev/null; then
    umount "$t/merged" && ok=yes
  fi
  rm -rf "$t"
  if [[ -n "$ok" ]]; then printf overlayfs; else printf native; fi
}

write_cni_config() {
  # No ipMasq: pods reach the node and each other, nothing beyond the host.
  cat >"$STATE/cni/net.d/10-$CNI_NET.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NET",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

ensure_pause_built() {
  [[ -x "$IMAGES_TOOL" ]] || start_failed "scripts/images is missing"
  "$IMAGES_TOOL" build pause >&2 || start_failed "scripts/images build pause failed"
}

# binary_image NAME BINARY ARGS...: wrap BINARY into an image; print its ref.
binary_image() {
  local name="$1" bin="$2" ref
  shift 2
  ref="$("$IMAGES_TOOL" binary-image "$name" "$bin" -- "$@" | tail -n1)" || true
  # Judge by what `list` reports: binary-image has exited 1 after a first
  # successful build (its EXIT trap's last test).
  [[ -n "$ref" && "$("$IMAGES_TOOL" list | jq -r --arg n "$name" '.[$n].ref // empty')" == "$ref" ]] \
    || start_failed "scripts/images binary-image $name failed"
  printf '%s' "$ref"
}

import_images() {
  local t=$SECONDS
  # shellcheck disable=SC2034 # read by write_manifests (node-config.sh)
  COREDNS_REF="$(binary_image coredns "$COREDNS_DIR/bin/coredns")"
  # shellcheck disable=SC2034 # read by cmd_start (start.sh)
  PROBE_REF="$(binary_image probe "$(tools_dir)/probe" sleep)"
  log "importing images into containerd (scripts/images import)"
  "$IMAGES_TOOL" import --address "$CONTAINERD_SOCK" >&2 || start_failed "scripts/images import failed"
  PAUSE_REF="$("$IMAGES_TOOL" list | jq -r '.pause.ref // empty')"
  [[ -n "$PAUSE_REF" ]] || start_failed "scripts/images list shows no pause image"
  ctr_ images tag --force "$PAUSE_REF" "$SANDBOX_REF" >/dev/null \
    || start_failed "could not tag $PAUSE_REF as $SANDBOX_REF (not imported?)"
  log "images imported in $((SECONDS - t))s: $(ctr_ images ls -q | grep -vc '^sha256:') refs"
}
