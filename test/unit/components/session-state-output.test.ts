/**
 * The `state` stack output of each session (under mocks standing in for the live cluster): the
 * StatefulSet's live replicas and the culler's record decide it, as `sessions list` does.
 */
import * as pulumi from '@pulumi/pulumi';
import { NotebookPlatform } from '../../../components/platform';
import { baseConfig } from '../config/fixtures';

const RECORD = JSON.stringify({ reason: 'idle', since: '2026-03-02T10:00:00Z', detail: 'no activity' });

/** What the cluster holds: churn culled (replicas 0, a record), forecast running, report stopped by config. */
function live(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = args.inputs as { metadata?: { name?: string }; spec?: Record<string, unknown> };
  if (args.type === 'kubernetes:apps/v1:StatefulSet' && inputs.metadata?.name === 'churn') return { ...inputs, spec: { ...inputs.spec, replicas: 0 } };
  if (args.type === 'kubernetes:apps/v1:StatefulSet') return { ...inputs, spec: { replicas: 1, ...inputs.spec } };
  if (args.type === 'kubernetes:core/v1:ConfigMap' && inputs.metadata?.name === 'notebook-culler-status') return { ...inputs, data: { churn: RECORD } };
  return inputs;
}

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe('the state output', () => {
  let states: Record<string, string>;
  beforeAll(async () => {
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: live(args) }), call: () => ({}) }, 'notebook-platform', 'state', true);
    const config = baseConfig();
    config.jupyter = { stopIdleSessionsAfterSeconds: 600 };
    config.network = { apiServer: { cidrs: ['10.0.0.0/16'] } };
    const platform = new NotebookPlatform('team', { config: config as never });
    const summaries = platform.sessionSummaries();
    states = Object.fromEntries(await Promise.all(Object.entries(summaries).map(async ([name, s]) => [name, await valueOf(s.state)] as const)));
  });

  it('running, stopped as idle with when, stopped by config', () => {
    expect(states).toEqual({ churn: 'stopped as idle since 2026-03-02T10:00:00Z', forecast: 'running', report: 'stopped by config' });
  });
});
