/**
 * notebook-platform: the public API, what a program needs. Changing it is deliberate:
 * api/notebook-platform.api.md records it and `npm run api` fails when it drifts (see
 * docs/library.md). Everything else under components/ is internal and may change.
 */

// A Pulumi program: `new NotebookPlatform(pulumi.getStack(), { config: configFromPulumi(pulumi.runtime.allConfig()) })`.
export { NotebookPlatform, NotebookPlatformConfigError, type NotebookPlatformArgs, type SessionSummary } from './platform';
export { NotebookSession, type NotebookSessionArgs } from './session';
export { EfsStorage, type EfsArgs } from './aws/efs';
export { EfsBackup, type EfsBackupArgs } from './aws/backup';
export { configFromPulumi } from './config/pulumi-config';

// The stack config: its schema and types, reading and validating it (what `notebook-platform validate` does).
export { CONFIG_NAMESPACE, shareSchema, stackConfigSchema, storageSchema, type Peer, type ShareConfig, type StackConfig, type StackConfigInput, type StorageConfig } from './config/schema';
export { parseStackConfig, readStackConfigFile, StackFileError } from './config/load';
export { ConfigError, planFromConfig, validateConfig, type ValidationResult } from './config/validate';
export { formatProblem, type Problem } from './config/problems';

// The plan: the validated config with every name and default filled in (NotebookPlatform.plan).
export type {
  AccessLevel,
  AutosavePlan,
  CodePlan,
  EgressPeerPlan,
  EgressPlan,
  ForkPlan,
  HomeVolume,
  Labels,
  NetworkPlan,
  Plan,
  Resources,
  SchedulingPlan,
  SessionPlan,
  ShareMount,
  SharePlan,
  StoragePlan,
  Toleration,
  UserHomePlan,
} from './config/plan';
export type { CulledSession, CullerPlan, CullingRules, SchedulePlan } from './config/culling';
export type { ClaimSizes } from './kubernetes/claim-sizes';
export { backupSchema, usageSchema, type BackupConfig, type BackupPlan, type UsagePlan } from './config/lifecycle-schema';

// Labels and annotations on every object, for `kubectl -l` and tooling.
export { OWNER_LABEL, PURGE_ANNOTATION, RETAIN_ANNOTATION, SESSION_LABEL, SHARE_LABEL, TEAM_LABEL } from './config/names';

// GitOps and cdk8s: the same objects as manifests (what `notebook-platform synth` writes) or as charts of a cdk8s App.
export { synthesize, toYaml, writeManifests, type ManifestFile } from './manifests/synth';
export { ObjectsChart, SessionChart, TeamChart, teamApp } from './manifests/chart';
export {
  NotebookPlatformChart,
  NotebookSessionConstruct,
  type NotebookPlatformChartProps,
  type NotebookSessionConstructProps,
  type SessionVolumeMountOptions,
} from './manifests/constructs';
export type { SessionCustomization, SessionVolume } from './manifests/customize';
// Kubernetes types of cdk8s-plus-27's k8s module in manifest form (quantities as strings): what addSidecar and addVolume take.
export type { ContainerManifest, Manifest, VolumeManifest, VolumeMountManifest } from './manifests/kube';
export type { KubeObject, ObjectMeta } from './manifests/objects';
