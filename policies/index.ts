/**
 * The notebook-platform CrossGuard policy pack: `pulumi preview --policy-pack policies`.
 * The only place that constructs the pack; the rules are in ./rules (where tests and
 * `notebook-platform check` use them without starting a pack).
 */
import { PolicyPack } from '@pulumi/policy';
import { notebookPolicies, POLICY_PACK_NAME } from './rules';

new PolicyPack(POLICY_PACK_NAME, {
  description: 'Notebook platform safety: pod security, resources, images, persistence, data retention, network isolation, authentication, share entitlements and session limits.',
  policies: notebookPolicies(),
});
