/** The stack config's defaults for quota.maxSessionsPerUser and quota.maxRunningSessions; the policy pack's too. */
export const DEFAULT_SESSION_LIMITS = { maxSessionsPerUser: 5, maxRunningSessions: 20 } as const;
