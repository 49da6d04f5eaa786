/**
 * Names of the Secrets the platform owns, as patterns derived from the namers in
 * names.PLATFORM_SECRETS: a name matches when some valid id makes a namer produce it. Validation
 * and the policy pack use this, so the reserved names can never drift from the names the
 * manifests actually give.
 */
import { PLATFORM_SECRETS } from './names';

/** Ids (session names) are DNS labels; the pattern takes any, so a session added later is covered too. */
const ID = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const MARK = '\u0000';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface PlatformSecret {
  /** What it is, for messages: "a session token Secret". */
  readonly kind: string;
  /** The form of its names: "<session>-token". */
  readonly form: string;
  readonly pattern: RegExp;
}

/** The pattern of every name a namer gives, found by naming a marker and opening it up to any id. */
function patternOf(name: (id: string) => string): RegExp {
  const parts = name(MARK).split(MARK);
  if (parts.length < 2) return new RegExp(`^${escape(parts[0])}$`);
  return new RegExp(`^${parts.map(escape).join(ID)}$`);
}

export const PLATFORM_SECRET_PATTERNS: readonly PlatformSecret[] = PLATFORM_SECRETS.map((secret) => ({ kind: secret.kind, form: secret.form, pattern: patternOf(secret.name) }));

/** The platform Secret a name would be, or undefined when the platform never gives that name. */
export function platformSecretOf(name: string): PlatformSecret | undefined {
  return PLATFORM_SECRET_PATTERNS.find((secret) => secret.pattern.test(name));
}
