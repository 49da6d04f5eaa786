/**
 * What GitOps tools are told about objects that hold data (shared by the manifests, which set it,
 * and the policy pack, which checks it). A Pulumi stack keeps claims and volumes with
 * `retainOnDelete`; a GitOps tool that syncs the manifests with pruning would delete a claim as
 * soon as its session leaves the config (and with it the data, on a class that reclaims with
 * Delete). Each tool reads its own annotation; both are set, since the package does not know
 * which tool syncs the files.
 */

/** Argo CD's per-resource sync options: never pruned when removed from Git, never deleted with the Application. */
export const ARGO_SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
export const ARGO_KEEP = 'Prune=false,Delete=false';
/** Flux kustomize-controller's garbage collection opt-out. */
export const FLUX_PRUNE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/prune';
export const FLUX_KEEP = 'disabled';

/** The annotations that keep an object from GitOps pruning and deletion. */
export const GITOPS_KEEP_ANNOTATIONS: Readonly<Record<string, string>> = { [ARGO_SYNC_OPTIONS_ANNOTATION]: ARGO_KEEP, [FLUX_PRUNE_ANNOTATION]: FLUX_KEEP };

/**
 * What in `annotations` lets a GitOps tool delete the object (empty when both tools keep it). Argo
 * CD's value is a comma-separated list (spaces trimmed); it must hold Prune=false and Delete=false.
 */
export function gitOpsDeletionRoutes(annotations: Readonly<Record<string, string>>): string[] {
  const routes: string[] = [];
  const argo = (annotations[ARGO_SYNC_OPTIONS_ANNOTATION] ?? '').split(',').map((option) => option.trim());
  for (const option of ARGO_KEEP.split(',')) {
    if (!argo.includes(option)) routes.push(`${ARGO_SYNC_OPTIONS_ANNOTATION} lacks ${option}`);
  }
  if (annotations[FLUX_PRUNE_ANNOTATION] !== FLUX_KEEP) routes.push(`${FLUX_PRUNE_ANNOTATION} is not "${FLUX_KEEP}"`);
  return routes;
}
