/**
 * Cross-field checks of the data lifecycle: renamed sessions keep exactly one home each.
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

