/** The platform's names, labels and paths: defined in shared/names.ts, which the policy pack imports too. */
export * from '../../shared/names';
