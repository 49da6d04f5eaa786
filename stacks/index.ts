/**
 * The team stack program: `pulumi up` with stacks/Pulumi.<team>.yaml. Reads every
 * `notebook-platform:*` key, validates it (every problem reported before anything is created)
 * and declares the team's platform.
 */
import * as pulumi from '@pulumi/pulumi';
import { NotebookPlatform } from '../components/platform';
import { configFromPulumi } from '../components/config/pulumi-config';

const platform = new NotebookPlatform(pulumi.getStack(), { config: configFromPulumi(pulumi.runtime.allConfig()) });

export const namespace = platform.namespace;
/** The storage backend, with the EFS file system id on efs stacks (no undefined outputs elsewhere). */
export const storage = platform.efs
  ? { backend: platform.plan.storage.backend, fileSystemId: platform.efs.fileSystemId }
  : { backend: platform.plan.storage.backend };
export const sessions = platform.sessionSummaries();
