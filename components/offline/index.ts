export * from './run';
export { engineUrn, ROOT_STACK_TYPE } from './monitor';
export { deferUnusedSdkModules } from './defer-modules';
