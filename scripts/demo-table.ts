/**
 * `node dist/scripts/demo-table.js STACK_CONFIG < sessions.json`: scripts/demo's session table.
 * stdin is `pulumi stack output sessions --json`; used bytes come from the team's newest finished
 * usage run, read with the current kubeconfig (list the team's pods, read one log).
 */
import { readFileSync } from 'node:fs';
import { validateConfig } from '../components/config/validate';
import { readStackConfigFile } from '../components/config/load';
import { kubeApi, KubeApiError } from '../components/kubernetes/api-client';
import { latestRun, usageRows } from '../cli/usage';
import { sessionTable, type SessionOutput, type UsageKnown } from '../cli/session-table';

async function main(configFile: string): Promise<number> {
  const text = readFileSync(0, 'utf8').trim();
  const sessions = (text ? JSON.parse(text) : {}) as Record<string, SessionOutput>;
  const result = validateConfig(readStackConfigFile(configFile));
  if (!result.ok) {
    process.stderr.write(`${configFile} is not a valid stack config\n`);
    return 1;
  }
  const plan = result.plan;
  let usage: UsageKnown = { kind: 'not-configured' };
  if (plan.usage) {
    try {
      const run = await latestRun(kubeApi(), plan);
      usage = run ? { kind: 'measured', rows: usageRows(plan, run.measurements), measuredAt: run.measuredAt, pod: run.pod } : { kind: 'not-yet' };
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      usage = { kind: 'unreadable', reason: error.message };
    }
  }
  for (const line of sessionTable(plan, sessions, usage)) process.stdout.write(`${line}\n`);
  return 0;
}

if (process.argv.length !== 3) {
  process.stderr.write('usage: node dist/scripts/demo-table.js STACK_CONFIG < sessions.json\n');
  process.exitCode = 2;
} else {
  main(process.argv[2]).then((code) => (process.exitCode = code));
}
