/**
 * The notebook-platform policy pack's rules, in the order they are reported. `policies/index.ts`
 * serves them as a CrossGuard pack; `notebook-platform check` runs the same objects offline.
 */
import { tokenAuthRule, noPlainSecretsRule } from './auth';
import { allowedRegistriesRule, pinnedImagesRule } from './images';
import { sessionLimitsRule } from './limits';
import { clusterIpServicesRule, egressPeersScopedRule, namespaceDefaultDenyRule, namespacePodSecurityRule } from './network';
import { dropAllCapabilitiesRule, noPrivilegeEscalationRule, runAsNonRootRule, seccompRule } from './pod-security';
import { dataRetainedRule, efsDataProtectedRule, homeOnPersistentClaimRule, shareEntitlementsRule } from './storage';
import { containerResourcesRule, noHostAccessRule } from './workloads';
import { rbacSubjectsScopedRule, teamNamespaceRule } from './identity';
import { nodeDiskBoundedRule } from './disk';
import { platformSecretsRule } from './platform-secrets';
import { forkConsentRule } from './forks';
import { gpuSessionsCulledRule } from './culling';
import { backupScheduledRule } from './lifecycle';
import type { Rule } from './policy';

/** The pack's name in `pulumi preview` output and in policy config files. */
export const POLICY_PACK_NAME = 'notebook-platform';

/** Every rule, freshly built. */
export function notebookPolicies(): Rule[] {
  return [
    runAsNonRootRule(),
    noPrivilegeEscalationRule(),
    dropAllCapabilitiesRule(),
    seccompRule(),
    noHostAccessRule(),
    containerResourcesRule(),
    nodeDiskBoundedRule(),
    allowedRegistriesRule(),
    pinnedImagesRule(),
    homeOnPersistentClaimRule(),
    dataRetainedRule(),
    efsDataProtectedRule(),
    backupScheduledRule(),
    shareEntitlementsRule(),
    forkConsentRule(),
    namespacePodSecurityRule(),
    namespaceDefaultDenyRule(),
    egressPeersScopedRule(),
    clusterIpServicesRule(),
    tokenAuthRule(),
    noPlainSecretsRule(),
    platformSecretsRule(),
    sessionLimitsRule(),
    gpuSessionsCulledRule(),
    teamNamespaceRule(),
    rbacSubjectsScopedRule(),
  ];
}

export * from './policy';
export * from './kube';
export * from './pod-security';
export * from './workloads';
export * from './images';
export * from './storage';
export * from './network';
export * from './auth';
export * from './limits';
export * from './identity';
export * from './disk';
export * from './platform-secrets';
export * from './forks';
export * from './lifecycle';
