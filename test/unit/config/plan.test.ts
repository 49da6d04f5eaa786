import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalise, readStackConfigFile, stackConfigSchema, validateConfig } from '../../../components/config';
import { stackFileJsonSchemaText } from '../../../components/config/json-schema';
import { baseConfig } from './fixtures';

const root = join(__dirname, '..', '..', '..');
const stackFiles = readdirSync(join(root, 'stacks')).filter((f) => /^Pulumi\..+\.yaml$/.test(f));

describe('example stacks', () => {
  it('there are example stacks', () => expect(stackFiles.length).toBeGreaterThanOrEqual(3));
  it.each(stackFiles)('%s is valid', (file) => {
    const result = validateConfig(readStackConfigFile(join(root, 'stacks', file)));
    expect(result.problems).toEqual([]);
  });
});

describe('JSON Schema', () => {
  it('schema/stack-config.schema.json is fresh (run `npm run schema` after changing the zod schema)', () => {
    expect(readFileSync(join(root, 'schema', 'stack-config.schema.json'), 'utf8')).toBe(stackFileJsonSchemaText());
  });
});

describe('normalise', () => {
  const plan = (config: Record<string, any>) => normalise(stackConfigSchema.parse(config));

  it('is deterministic, key order included', () => {
    expect(JSON.stringify(plan(baseConfig()))).toBe(JSON.stringify(plan(baseConfig())));
  });

  it('does not depend on the order of sessions and shares in the config', () => {
    const reversed = baseConfig();
    reversed.sessions.reverse();
    reversed.shares.reverse();
    expect(JSON.stringify(plan(reversed))).toBe(JSON.stringify(plan(baseConfig())));
  });

  it('computes names, mounts and entitlements', () => {
    const p = plan(baseConfig());
    expect(p.namespace).toBe('nb-analytics');
    const byName = Object.fromEntries(p.sessions.map((s) => [s.name, s]));
    // alice writes the public share, reads nothing restricted, writes the team share.
    expect(byName.churn.mounts).toEqual([
      { share: 'datasets', claimName: 'share-datasets', mountPath: '/shared-data/datasets', readOnly: false },
      { share: 'scratch', claimName: 'share-scratch', mountPath: '/shared-data/scratch', readOnly: false },
    ]);
    // bob named only payroll, a reader there.
    expect(byName.forecast.mounts).toEqual([{ share: 'payroll', claimName: 'share-payroll', mountPath: '/shared-data/payroll', readOnly: true }]);
    // carol reads the public share, writes the team share, never sees payroll.
    expect(byName.report.mounts.map((m) => `${m.share}:${m.readOnly}`)).toEqual(['datasets:true', 'scratch:false']);
    expect(byName.report.replicas).toBe(0);
    expect(byName.churn.home).toMatchObject({ claimName: 'workdirs', subPath: 'sessions/churn' });
    expect(byName.churn.baseUrl).toBe('/notebooks/analytics/churn/');
    expect(byName.churn.resources).toEqual({ requests: { cpu: '500m', 'ephemeral-storage': '10Gi', memory: '2Gi' }, limits: { cpu: '1', 'ephemeral-storage': '10Gi', memory: '2Gi' } });
  });

  it('keeps the nfs homes volume size when sessions come and go (a bound static claim cannot be resized)', () => {
    const more = baseConfig();
    more.sessions.push({ name: 'adhoc', owner: 'dave', size: 'large', environment: 'scipy' });
    expect(plan(more).storage.teamWorkdir?.size).toBe('200Gi');
    expect(plan(baseConfig()).storage.teamWorkdir?.size).toBe('200Gi');
    const sized = baseConfig();
    sized.storage.homesSize = '500Gi';
    expect(plan(sized).storage.teamWorkdir?.size).toBe('500Gi');
  });

  it('gives per-user homes one claim per owner', () => {
    const config = baseConfig();
    config.storage = { backend: 'storageClass', storageClassName: 'cephfs' };
    config.shares = [];
    config.stateModel = 'user';
    for (const session of config.sessions) delete session.shares;
    config.sessions.push({ name: 'churn-2', owner: 'alice', size: 'large', environment: 'scipy', running: false });
    const p = plan(config);
    expect(p.userHomes.map((h) => h.home.claimName)).toEqual(['home-alice', 'home-bob', 'home-carol']);
    const alice = p.sessions.filter((s) => s.owner === 'alice');
    expect(alice.map((s) => s.home.claimName)).toEqual(['home-alice', 'home-alice']);
    expect(alice.every((s) => !s.ownsHomeClaim)).toBe(true);
    expect(p.userHomes[0].home.size).toBe('10Gi');
  });

  it('excepts the metadata address from any egress CIDR that contains it', () => {
    const config = baseConfig();
    config.network = { egress: [{ cidr: '169.254.0.0/16', ports: [80] }, { cidr: '10.1.0.0/16', ports: [443] }] };
    expect(plan(config).network.egress).toEqual([
      { cidr: '169.254.0.0/16', except: ['169.254.169.254/32'], ports: [80] },
      { cidr: '10.1.0.0/16', except: [], ports: [443] },
    ]);
  });
});
