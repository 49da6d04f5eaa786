/**
 * Cross-field checks of the stop rules and of per-owner access: what the schema alone cannot see.
 */
import type { StackConfig } from './schema';
import { configPath, show, type Problem } from './problems';
import { cullingRules, hasStopRule } from './culling';

const problem = (path: (string | number)[], message: string): Problem => ({ path: configPath(path), message });

/** Stop rules need the culler, and the culler needs to reach the API server. */
export function cullingProblems(config: StackConfig): Problem[] {
  const problems: Problem[] = [];
  if (!config.network.apiServer) {
    const index = config.sessions.findIndex((session) => session.running && hasStopRule(cullingRules(config, session)));
    if (index >= 0) {
      const session = config.sessions[index];
      problems.push(
        problem(['network', 'apiServer'], `is required: session ${show(session.name)} has a stop rule (idle, lifetime or schedule), and the team's culler stops sessions through the Kubernetes API; name the API server's endpoint addresses, e.g. { cidrs: ["10.0.0.0/16"], port: 443 } (NetworkPolicies see the endpoint, not the "kubernetes" Service)`),
      );
    }
  }
  return problems;
}

/** Per-owner exec needs to know which Kubernetes user an owner is. */
export function ownerAccessProblems(config: StackConfig): Problem[] {
  if (config.access.allowExec && !config.access.ownerSubject) {
    return [problem(['access', 'allowExec'], 'gives each session\'s owner exec into their own sessions only, so the cluster must know who the owner is: set access.ownerSubject, e.g. "oidc:{owner}" (the user name your authenticator gives the owner)')];
  }
  return [];
}
