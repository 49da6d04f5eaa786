/** The platform's own Secrets: defined in shared/platform-secrets.ts, which the policy pack imports too. */
export * from '../../shared/platform-secrets';
