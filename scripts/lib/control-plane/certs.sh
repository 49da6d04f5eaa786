# shellcheck shell=bash
# control-plane certificates: the test CA, the API server's serving certificate, its
# kubelet client certificate (real node) and the service-account signing key.
# Sourced by scripts/control-plane.

# write_certs DIR [NODE_IP]: with NODE_IP (a real node), the API server's
# certificate also names it, and the API server gets a client certificate for
# the kubelets (logs, exec, port-forward).
write_certs() {
  local pki="$1/pki" node_ip="${2:-}"
  mkdir -p "$pki"
  (
    cd "$pki"
    umask 077
    openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
    openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=notebook-platform-test-ca" \
      -out ca.crt 2>/dev/null
    openssl ecparam -name prime256v1 -genkey -noout -out apiserver.key 2>/dev/null
    openssl req -new -key apiserver.key -subj "/CN=kube-apiserver" -out apiserver.csr 2>/dev/null
    printf '%s\n' \
      "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" \
      "subjectAltName=IP:127.0.0.1,${node_ip:+IP:$node_ip,}IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
      >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -sha256 -extfile apiserver.ext -out apiserver.crt 2>/dev/null
    if [[ -n "$node_ip" ]]; then
      openssl ecparam -name prime256v1 -genkey -noout -out apiserver-kubelet-client.key 2>/dev/null
      openssl req -new -key apiserver-kubelet-client.key -subj "/CN=kube-apiserver-kubelet-client" \
        -out apiserver-kubelet-client.csr 2>/dev/null
      printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=clientAuth" >apiserver-kubelet-client.ext
      openssl x509 -req -in apiserver-kubelet-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
        -days 3650 -sha256 -extfile apiserver-kubelet-client.ext -out apiserver-kubelet-client.crt 2>/dev/null
    fi
    # Service account tokens are signed with this key (RSA, as most
    # verifiers expect RS256).
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  ) || return 1
}
