# shellcheck shell=bash
# real-node certificates: the node's client and serving certificates signed by the control
# plane's CA, and kubeconfigs that use them. Sourced by scripts/real-node.

# sign_cert NAME SUBJECT EXT...: key and certificate NAME.{key,crt} in
# $STATE/pki, signed by the control plane's CA.
sign_cert() {
  local name="$1" subj="$2" pki="$STATE/pki" cp_pki="$CP_DIR/pki"
  shift 2
  (
    umask 077
    cd "$pki"
    openssl ecparam -name prime256v1 -genkey -noout -out "$name.key" 2>/dev/null
    openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "$@" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA "$cp_pki/ca.crt" -CAkey "$cp_pki/ca.key" \
      -CAcreateserial -CAserial "$pki/ca.srl" -days 3650 -sha256 -extfile "$name.ext" \
      -out "$name.crt" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
  ) || start_failed "could not sign the $name certificate"
}

# cert_kubeconfig FILE CERT_NAME: kubeconfig with a client certificate.
cert_kubeconfig() {
  local file="$1" name="$2"
  write_kubeconfig_file "$file" "$API_SERVER" "$CP_DIR/pki/ca.crt" "$name" \
    "    client-certificate-data: $(base64 -w0 <"$STATE/pki/$name.crt")
    client-key-data: $(base64 -w0 <"$STATE/pki/$name.key")"
}

write_certs() {
  mkdir -p "$STATE/pki"
  sign_cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth"
  sign_cert kubelet-serving "/CN=$NODE_NAME" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    "subjectAltName=DNS:$NODE_NAME,IP:$NODE_IP,IP:127.0.0.1"
  # system:kube-proxy is bound to system:node-proxier by default.
  sign_cert kube-proxy "/CN=system:kube-proxy" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth"
  # kube-router gets only the read access of its own ClusterRole (manifests).
  sign_cert kube-router "/CN=notebook-platform:kube-router" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth"
  cert_kubeconfig "$STATE/kubelet/kubeconfig" kubelet-client
  cert_kubeconfig "$STATE/kube-proxy/kubeconfig" kube-proxy
  cert_kubeconfig "$STATE/kube-router/kubeconfig" kube-router
}
