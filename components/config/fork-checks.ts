/**
 * Forks across owners. A fork copies the source's whole home: work, personal credentials and
 * whatever its owner copied from restricted shares. So another owner's session may be forked
 * only when it says so (`forkableBy`), and only by an owner entitled to every restricted share
 * the source, or any session it was itself forked from, mounts.
 */
import type { SessionConfig, StackConfig } from './schema';
import { configPath, show, type Problem } from './problems';
import { sessionShareNames, shareAccess } from './share-entitlements';

const list = (values: readonly string[]) => (values.length ? values.join(', ') : 'none');

/** The session and those it was forked from, nearest first; stops at a missing source or a cycle (reported elsewhere). */
function forkLineage(config: StackConfig, source: SessionConfig): SessionConfig[] {
  const byName = new Map(config.sessions.map((session) => [session.name, session]));
  const lineage: SessionConfig[] = [];
  for (let current: SessionConfig | undefined = source; current && !lineage.includes(current); current = current.forkFrom ? byName.get(current.forkFrom) : undefined) {
    lineage.push(current);
  }
  return lineage;
}

export function forkProblems(config: StackConfig): Problem[] {
  if (config.stateModel !== 'session') return []; // forks are refused outright (cross-checks.ts)
  const problems: Problem[] = [];
  config.sessions.forEach((session, index) => {
    if (session.forkFrom === undefined || session.forkFrom === session.name) return;
    const sourceIndex = config.sessions.findIndex((candidate) => candidate.name === session.forkFrom);
    if (sourceIndex < 0) return; // not a session of this team: reported by references
    const source = config.sessions[sourceIndex];
    const path = configPath(['sessions', index, 'forkFrom']);
    if (source.owner !== session.owner && !source.forkableBy.includes(session.owner)) {
      problems.push({
        path,
        message: `${show(source.name)} belongs to ${show(source.owner)}, and a fork copies its whole home (personal credentials, copies of restricted data); allowed only when sessions[${sourceIndex}].forkableBy lists ${show(session.owner)} (it lists: ${list(source.forkableBy)})`,
      });
    }
    const reported = new Set<string>();
    for (const ancestor of forkLineage(config, source)) {
      for (const shareName of sessionShareNames(ancestor, config.shares)) {
        const share = config.shares.find((candidate) => candidate.name === shareName);
        if (!share || share.access !== 'restricted' || reported.has(shareName) || shareAccess(share, session.owner) !== 'none') continue;
        reported.add(shareName);
        const via = ancestor === source ? show(source.name) : `${show(ancestor.name)} (which ${show(source.name)} was forked from)`;
        problems.push({
          path,
          message: `the fork would carry restricted share ${show(shareName)}: ${via} mounts it, so its home may hold copies of that data, and ${show(session.owner)} is not one of its readers or writers (${list([...share.readers, ...share.writers])})`,
        });
      }
    }
  });
  return problems;
}
