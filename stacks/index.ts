/**
 * The team stack program: `pulumi up` with stacks/Pulumi.<team>.yaml. Reads every
 * `notebook-platform:*` key, validates it (every problem reported before anything is created)
 * and declares the team's platform.
 */
import * as pulumi from '@pulumi/pulumi';
import { NotebookPlatform } from '../components/platform';
import { configFromPulumi } from '../components/config/pulumi-config';

// 'live': a smaller size than a claim has in the cluster fails the update before anything changes.
const platform = new NotebookPlatform(pulumi.getStack(), { config: configFromPulumi(pulumi.runtime.allConfig()), previousClaimSizes: 'live' });

export const namespace = platform.namespace;
/** The storage backend, with the EFS file system id on efs stacks (no undefined outputs elsewhere). */
export const storage = platform.efs
  ? { backend: platform.plan.storage.backend, fileSystemId: platform.efs.fileSystemId }
  : { backend: platform.plan.storage.backend };
export const sessions = platform.sessionSummaries();
/** Claim name -> requested size of every home and share claim. */
export const claimSizes = platform.claimSizes();
