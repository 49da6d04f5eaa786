/**
 * The exact grammars of the strings the config hands to something else: image references
 * (the distribution spec), git ref names (`git check-ref-format`), Kubernetes names and labels,
 * IPv4 addresses as Go's net.ParseIP reads them (no leading zeros), host names, URLs that end up
 * in an ingress controller's config. A value is checked against the grammar of its consumer
 * before anything is created.
 */

// Distribution spec reference grammar (distribution/reference/regexp.go).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
// Only full digests: sha256 with 64 hex digits, sha512 with 128 (lowercase, as registries print them).
const DIGEST = 'sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}';
const IMAGE_REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@(?:${DIGEST}))?$`);

/** Whether `value` is an image reference of the distribution spec, any digest in full. */
export function isImageReference(value: string): boolean {
  const match = IMAGE_REFERENCE.exec(value);
  return !!match && match[1].length <= 255;
}

/**
 * Whether `value` is a ref name git accepts (`git check-ref-format --allow-onelevel`, and not
 * starting with "-", as `--branch` requires): no "..", "@{", "//", ASCII control characters,
 * space or any of ~^:?*[\; no part starting with "." or ending in ".lock"; not "@", not starting
 * or ending with "/", not ending with ".".
 */
export function isGitRefName(value: string): boolean {
  if (value === '' || value === '@' || value.startsWith('-') || value.startsWith('/') || value.endsWith('/') || value.endsWith('.')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\//.test(value)) return false;
  return value.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** An absolute POSIX path without "." or ".." parts, empty parts or white space ("/" alone included). */
export function isCleanAbsolutePath(value: string): boolean {
  if (value === '/') return true;
  if (!value.startsWith('/') || /\s|\0/.test(value)) return false;
  return value.slice(1).split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 subdomain, as Kubernetes validates most object names: dot-separated DNS labels, at most 253 characters. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((label) => label.length <= 63 && DNS_LABEL.test(label));
}

/** A host name: a DNS subdomain whose last label is not all digits (that would be an IPv4 address, e.g. "10.0.0.05"). */
export function isHostName(value: string): boolean {
  return isDnsSubdomain(value) && !/^[0-9]+$/.test(value.slice(value.lastIndexOf('.') + 1));
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** A Kubernetes label key (also node selector and toleration keys): `[prefix/]name`. */
export function isLabelKey(value: string): boolean {
  const slash = value.lastIndexOf('/');
  const name = value.slice(slash + 1);
  if (name.length > 63 || !LABEL_NAME.test(name)) return false;
  return slash < 0 || (slash > 0 && isDnsSubdomain(value.slice(0, slash)));
}

/** A Kubernetes label value: empty, or at most 63 letters, digits, "-", "_" and "." starting and ending with a letter or digit. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

const OCTET = '(?:0|[1-9][0-9]{0,2})';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** A dotted-quad IPv4 address; leading zeros are refused (some parsers read them as octal, Go's refuses them). */
export function isIpv4Address(value: string): boolean {
  return IPV4.test(value) && value.split('.').every((octet) => Number(octet) <= 255);
}

/** An IPv4 CIDR: an address (see isIpv4Address) and a prefix 0-32 without leading zeros. */
export function isIpv4Cidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  return rest.length === 0 && prefix !== undefined && isIpv4Address(address) && /^(?:[0-9]|[12][0-9]|3[0-2])$/.test(prefix);
}

/**
 * A URL of the given schemes with a host name or IPv4 address, an optional port, and a path
 * (and query) of unreserved characters and percent escapes only: these URLs are written into
 * an ingress controller's configuration and env, where quotes, "$" and ";" have meaning.
 */
export function isPlainUrl(value: string, schemes: readonly string[]): boolean {
  const match = /^([a-z]+):\/\/([^/:?#]+)(?::([0-9]{1,5}))?(\/[A-Za-z0-9\-._~%/]*)?(\?[A-Za-z0-9\-._~%&=]*)?$/.exec(value);
  if (!match || !schemes.includes(match[1])) return false;
  if (match[3] !== undefined && (Number(match[3]) < 1 || Number(match[3]) > 65535)) return false;
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return false;
  return isDnsSubdomain(match[2]) || isIpv4Address(match[2]);
}
