/** Which shares a session gets and how: the access rules (shared with the policy pack) applied to the config. */
import type { SessionConfig, ShareConfig } from './schema';
import { shareAccess } from '../../shared/access';

export { shareAccess };

/** The shares a session mounts: those it names, or every share its owner is entitled to. */
export function sessionShareNames(session: SessionConfig, shares: readonly ShareConfig[]): string[] {
  if (session.shares) return [...new Set(session.shares)].sort();
  return shares.filter((share) => shareAccess(share, session.owner) !== 'none').map((share) => share.name).sort();
}
