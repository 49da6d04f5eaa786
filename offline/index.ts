/**
 * The offline harness: runs the team program (components/) under an in-process monitor instead of
 * the Pulumi engine, for `notebook-platform check`, the tests and the benchmark. It sits beside
 * the components, not among them: it drives them and is not part of the library's API.
 */
export * from './run';
export { engineUrn, ROOT_STACK_TYPE } from './monitor';
export { deferUnusedSdkModules } from './defer-modules';
