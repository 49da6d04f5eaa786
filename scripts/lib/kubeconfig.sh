# shellcheck shell=bash
# The kubeconfig files scripts/control-plane and scripts/real-node write for their components and
# test users: one cluster (the local API server and its CA), one user, readable by the owner only.

# write_kubeconfig_file FILE SERVER CA_FILE USER CREDENTIALS: CREDENTIALS are the user's lines
# under `user:` (a token, or client certificate and key data), already indented by four spaces.
write_kubeconfig_file() {
  local file="$1" server="$2" ca="$3" user="$4" credentials="$5"
  (
    umask 077
    cat >"$file" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: notebook-platform-local
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$ca")
users:
- name: $user
  user:
$credentials
contexts:
- name: notebook-platform-local
  context:
    cluster: notebook-platform-local
    user: $user
current-context: notebook-platform-local
KUBECONFIG
  )
}
