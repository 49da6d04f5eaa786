/** Fixed figures the plan builds on: helper containers' resources, address ranges, GPU placement. */
import type { Toleration } from './plan';

/**
 * Container requests and limits of the autosave sidecar and the init containers. Their root file
 * systems are read-only: their disk is their logs (and git-sync's /etc/passwd entry).
 */
export const HELPER_RESOURCES = {
  requests: { cpu: '50m', 'ephemeral-storage': '64Mi', memory: '128Mi' },
  limits: { cpu: '500m', 'ephemeral-storage': '256Mi', memory: '256Mi' },
} as const;
/** Private and special ranges excluded from `allowInternet`, and the metadata address, always excluded. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'] as const;
export const METADATA_CIDR = '169.254.169.254/32';
/** Where GPU sessions run unless their size says otherwise: nodes labelled by NVIDIA GPU feature discovery. */
export const GPU_NODE_SELECTOR = { 'nvidia.com/gpu.present': 'true' } as const;
/** What GPU sessions tolerate unless their size says otherwise: the taint GPU node groups carry. */
export const GPU_TOLERATIONS: readonly Toleration[] = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
