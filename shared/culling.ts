/** The culler's names and markers, as the manifests give them and the policy pack looks for them. */

/** Value of COMPONENT_LABEL on the culler's pod. */
export const CULLER_COMPONENT = 'culler';
/**
 * "true" on a GPU session's StatefulSet when the team opted out of stopping idle GPU sessions
 * (`jupyter.keepIdleGpuSessions`): the policy pack sees the choice on the object it checks.
 */
export const KEEP_IDLE_GPU_ANNOTATION = 'notebook-platform.io/keep-idle-gpu-session';
/** The culler's Deployment, ServiceAccount, Role and ConfigMap; its status ConfigMap. */
export const CULLER_NAMES = { culler: 'notebook-culler', status: 'notebook-culler-status' } as const;
/** The key of the culler's ConfigMap that holds its rules (JSON). */
export const CULLER_CONFIG_FILE = 'config.json';
