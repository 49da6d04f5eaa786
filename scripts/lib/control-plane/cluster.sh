# shellcheck shell=bash
# control-plane cluster objects: kwok's configuration and the fake nodes and default
# StorageClass applied once the API server is up. Sourced by scripts/control-plane.

write_kwok_config() {
  local dir="$1" f
  {
    for f in "${KWOK_STAGE_FILES[@]}"; do
      printf -- '---\n'
      cat "$KWOK_DIR/stages/$(basename "$f")"
      printf '\n'
    done
  } >"$dir/kwok/kwok.yaml"
}

# The fake nodes: kwok manages nodes with this annotation, reports them
# Ready and runs (pretends to run) the pods scheduled onto them.
write_manifests() {
  local dir="$1" i gpu_label gpu_resource
  mkdir -p "$dir/manifests"
  {
    for i in 0 1 2; do
      # One node has GPUs.
      gpu_label="" gpu_resource=""
      if [[ $i == 2 ]]; then
        gpu_label=$'\n    nvidia.com/gpu.present: "true"'
        gpu_resource=$'\n    nvidia.com/gpu: "4"'
      fi
      cat <<NODE
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    node-role.kubernetes.io/agent: ""
    topology.kubernetes.io/zone: zone-$((i % 2))$gpu_label
status:
  allocatable: &resources
    cpu: "64"
    memory: 256Gi
    ephemeral-storage: 1Ti
    pods: "250"$gpu_resource
  capacity: *resources
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: $K8S_VERSION
NODE
    done
    # Default StorageClass served by kwok's volume stages: PVCs get a PV
    # (never mounted) and bind; deleting the claim deletes the PV.
    cat <<'SC'
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: kwok-volume
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: kwok.x-k8s.io/volume
reclaimPolicy: Delete
volumeBindingMode: Immediate
allowVolumeExpansion: true
SC
  } >"$dir/manifests/cluster.yaml"
}
