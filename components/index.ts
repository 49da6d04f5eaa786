/** notebook-platform: the public API. */
export * from './config';
export * as manifests from './manifests';
export { NotebookPlatform, type NotebookPlatformArgs, type SessionSummary } from './platform';
export { NotebookSession, type NotebookSessionArgs } from './session';
export { EfsStorage, type EfsArgs } from './aws/efs';
export { registerObject, resourceName } from './kubernetes/register';
