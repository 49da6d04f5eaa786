/**
 * Cross-field checks of the data lifecycle: renamed sessions keep exactly one home each, and a
 * backup asks only for what the storage backend can do.
 */
import type { StackConfig } from './schema';
import { configPath, show, type Problem } from './problems';

const problem = (path: (string | number)[], message: string): Problem => ({ path: configPath(path), message });

/**
 * `renamedFrom` names a home no current session uses: not the session's own name, not another
 * session's name (that session's home is the same claim), not another renamed session's.
 */
export function renameProblems(config: StackConfig): Problem[] {
  const problems: Problem[] = [];
  const names = new Map(config.sessions.map((session, index) => [session.name, index]));
  const firstRename = new Map<string, number>();
  config.sessions.forEach((session, index) => {
    const from = session.renamedFrom;
    if (from === undefined) return;
    const path = ['sessions', index, 'renamedFrom'];
    const other = names.get(from);
    if (from === session.name) problems.push(problem(path, `${show(from)} is the session's own name; renamedFrom names the session's previous name`));
    else if (other !== undefined) problems.push(problem(path, `${show(from)} is the name of sessions[${other}], whose home it is: a home belongs to one session (rename that session too, or remove renamedFrom)`));
    else if (firstRename.has(from)) problems.push(problem(path, `${show(from)} is already the previous name of sessions[${firstRename.get(from)}]; a home belongs to one session`));
    else firstRename.set(from, index);
  });
  return problems;
}

/**
 * What each backend can back up: efs through AWS Backup (no CSI snapshots: the EFS CSI driver
 * has none), storageClass through CSI VolumeSnapshots of a named VolumeSnapshotClass (no
 * cross-region copy), nfs not at all from here (the export is the server's to back up).
 */
export function backupProblems(config: StackConfig): Problem[] {
  const backup = config.backup;
  if (!backup) return [];
  const backend = config.storage.backend;
  if (backend === 'nfs') {
    return [problem(['backup'], `the nfs backend has no snapshot or backup API the stack can drive: back up ${config.storage.path} on the NFS server (remove backup, or move the team to efs or a storageClass with CSI snapshots)`)];
  }
  const problems: Problem[] = [];
  if (backend === 'efs' && backup.volumeSnapshotClassName !== undefined) {
    problems.push(problem(['backup', 'volumeSnapshotClassName'], `the EFS CSI driver takes no volume snapshots; on efs the stack backs the file system up with AWS Backup (remove volumeSnapshotClassName)`));
  }
  if (backend === 'storageClass') {
    if (backup.volumeSnapshotClassName === undefined) {
      problems.push(problem(['backup', 'volumeSnapshotClassName'], `is required with storage.backend "storageClass": name the VolumeSnapshotClass of ${show(config.storage.storageClassName)}'s CSI driver (kubectl get volumesnapshotclass); a class whose driver takes no snapshots cannot be backed up from here`));
    }
    if (!config.network.apiServer) {
      problems.push(problem(['network', 'apiServer'], `is required with backup on storage.backend "storageClass": the team's snapshot job creates VolumeSnapshots through the Kubernetes API; name the API server's endpoint addresses, e.g. { cidrs: ["10.0.0.0/16"], port: 443 }`));
    }
    if (backup.copyToRegion !== undefined) {
      problems.push(problem(['backup', 'copyToRegion'], `cross-region copies are an AWS Backup feature (storage.backend "efs"); replicate snapshots with the storage system behind ${show(config.storage.storageClassName)}`));
    }
  }
  return problems;
}
