/**
 * What looks like a credential in plain config: names that hold secrets and values that are
 * credentials whatever they are called. The policy pack refuses them outside Secrets.
 */

/** Words that make a name look like it holds a secret (`GIT_TOKEN`, `db-password`, `API_KEY`). */
const SECRET_WORDS = new Set(['TOKEN', 'PASSWORD', 'PASSWD', 'SECRET', 'KEY', 'APIKEY', 'PRIVATEKEY', 'CREDENTIAL']);
/** Names that point at a secret rather than hold it (`GIT_SECRET_DIR`, `SSH_KEY_FILE`). */
const POINTER_SUFFIXES = new Set(['FILE', 'PATH', 'DIR', 'NAME', 'REF', 'ID_FILE']);

/** Whether an env var or data key name looks like it holds a secret. */
export function secretLookingName(name: string): boolean {
  const words = name.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.length === 0 || POINTER_SUFFIXES.has(words[words.length - 1])) return false;
  return words.some((word) => SECRET_WORDS.has(word));
}

/** Values that are credentials whatever they are called. */
const SECRET_VALUES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a private key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=\s:,-]{32,}-----END [A-Z0-9 ]*PRIVATE KEY-----/ },
  { what: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { what: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { what: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
];

/** What kind of credential a value is ("a GitHub token"), or undefined when it looks like none. */
export function secretValueKind(value: string): string | undefined {
  return SECRET_VALUES.find(({ pattern }) => pattern.test(value))?.what;
}
