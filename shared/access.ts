/** Share access levels and what each grants an owner: the plan mounts by it, the policy pack checks by it. */

/** `public` (every team reads, writers write), `team` (the team's sessions write), `restricted` (readers and writers only). */
export const ACCESS_LEVELS = ['public', 'team', 'restricted'] as const;
export type ShareAccessLevel = (typeof ACCESS_LEVELS)[number];

/** Owner's access to a share: what the seeds' access levels grant. */
export function shareAccess(
  share: { readonly access: ShareAccessLevel; readonly readers: readonly string[]; readonly writers: readonly string[] },
  owner: string,
): 'none' | 'read' | 'write' {
  if (share.writers.includes(owner)) return 'write';
  switch (share.access) {
    case 'team':
      return 'write';
    case 'public':
      return 'read';
    case 'restricted':
      return share.readers.includes(owner) ? 'read' : 'none';
  }
}
