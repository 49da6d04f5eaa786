/**
 * Cross-field checks of the data lifecycle: renamed sessions keep exactly one home each, a
 * backup asks only for what the storage backend can do, and a restore only where a claim can
 * start from a snapshot.
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

/**
 * `restoreFrom` needs a claim of the session's own that can start from a VolumeSnapshot: a
 * storageClass backend (whose CSI driver takes snapshots), state model "session", a new home
 * (not a renamed session's existing one), and no second source of first content (forkFrom).
 */
export function restoreProblems(config: StackConfig): Problem[] {
  const problems: Problem[] = [];
  config.sessions.forEach((session, index) => {
    const snapshot = session.restoreFrom;
    if (snapshot === undefined) return;
    const path = ['sessions', index, 'restoreFrom'];
    const backend = config.storage.backend;
    if (backend === 'efs') {
      problems.push(problem(path, `${show(snapshot)}: the EFS CSI driver takes no snapshots, so a claim cannot start from one; on efs restoring is an administrator's step: restore the AWS Backup recovery point to the file system as a new directory, then copy the session's directory into this session's home (docs/data-lifecycle.md, "Restore"). Remove restoreFrom`));
    } else if (backend === 'nfs') {
      problems.push(problem(path, `${show(snapshot)}: the nfs backend has no snapshots the stack can restore from (homes are directories of one export, ${config.storage.path}); restore the session's directory from the NFS server's own backups. Remove restoreFrom`));
    } else if (config.stateModel === 'user') {
      problems.push(problem(path, `${show(snapshot)}: with stateModel "user" a home belongs to the owner and is shared by all of ${show(session.owner)}'s sessions, so one session cannot restore it; restore into a claim by hand (docs/data-lifecycle.md, "Restore"), or use stateModel "session"`));
    } else if (session.renamedFrom !== undefined) {
      problems.push(problem(path, `${show(snapshot)}: a renamed session keeps its existing home (workdir-${session.renamedFrom}), and an existing claim cannot start from a snapshot; restore into a new session instead (remove renamedFrom or restoreFrom)`));
    } else if (session.forkFrom !== undefined) {
      problems.push(problem(path, `${show(snapshot)}: forkFrom ${show(session.forkFrom)} also gives the new home its first content; use one of restoreFrom and forkFrom`));
    }
  });
  return problems;
}
