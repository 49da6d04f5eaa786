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
export const fileSystemId = platform.efs?.fileSystemId;
export const sessions = platform.sessionSummaries();
