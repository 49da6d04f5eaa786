/**
 * `notebook-platform check`: passes every example stack; fails, with one `policy  resource
 * reason` line per violation, on configs and components made unsafe on purpose.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { run } from '../../cli/main';
import { checkFiles, stackNameOf } from '../../cli/check';
import type { Plan } from '../../components/config/plan';
import { NotebookPlatform } from '../../components/platform';
import * as register from '../../components/kubernetes/register';
import * as sessionManifests from '../../components/manifests/session';
import { notebookPolicies } from '../../policies/rules';

const STACKS = join(__dirname, '..', '..', 'stacks');
const stackFile = (team: string) => join(STACKS, `Pulumi.${team}.yaml`);

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'np-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

/** A copy of an example stack with `edit` applied to its `notebook-platform:*` values. */
function variant(team: string, name: string, edit: (config: Record<string, any>) => void): string {
  const document = parse(readFileSync(stackFile(team), 'utf8'));
  edit(document.config);
  const file = join(dir, `Pulumi.${name}.yaml`);
  writeFileSync(file, stringify(document));
  return file;
}

/** The pack's rules: the summary line counts them. */
const POLICY_COUNT = notebookPolicies().length;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The summary line of a file; resource counts change as the components grow, so any count. */
const summary = (file: string, verdict: string) => expect.stringMatching(new RegExp(`^${escape(file)}: ${escape(verdict)} \\(\\d+ resources, ${POLICY_COUNT} policies\\)$`));
const urnOf = (stack: string, qualifiedType: string, name: string) => `urn:pulumi:${stack}::notebook-platform::${qualifiedType}::${name}`;
const SESSION = 'notebook-platform:index:NotebookPlatform$notebook-platform:index:NotebookSession';

describe('check on the example stacks', () => {
  it('passes all three, one summary line each, exit 0', async () => {
    const { io, out, err } = collect();
    expect(await run(['check', stackFile('demo'), stackFile('team-a'), stackFile('team-b')], io)).toBe(0);
    expect(out).toEqual([
      summary(`${STACKS}/Pulumi.demo.yaml`, 'ok'),
      summary(`${STACKS}/Pulumi.team-a.yaml`, 'ok'),
      summary(`${STACKS}/Pulumi.team-b.yaml`, 'ok'),
    ]);
    expect(err).toEqual([]);
  });

  it('passes a session being purged: its claim says so, the others stay retained', async () => {
    const file = variant('team-b', 'purging', (config) => {
      config['notebook-platform:stateModel'] = 'session';
      const session = config['notebook-platform:sessions'].find((s: { name: string }) => s.name === 'etl-debug');
      session.purge = true;
    });
    const { io, out } = collect();
    expect(await run(['check', file], io)).toBe(0);
    expect(out).toEqual([summary(file, 'ok')]);
  });

  it('names URNs after the stack of the file', () => {
    expect(stackNameOf('stacks/Pulumi.team-a.yaml', 'x')).toBe('team-a');
    expect(stackNameOf('/tmp/team.yaml', 'team-b')).toBe('team-b');
  });
});

describe('check on unsafe configs', () => {
  it('prints validation problems as validate does, exit 1', async () => {
    const file = variant('demo', 'invalid', (config) => (config['notebook-platform:sessions'][0].size = 'huge'));
    const { io, out } = collect();
    expect(await run(['check', file], io)).toBe(1);
    expect(out).toEqual([`${file}: notebook-platform:sessions[0].size: "huge" is not a defined size; allowed: small, medium`]);
  });

  it('fails images from a registry the pack does not allow, on every container using them', async () => {
    const file = variant('team-b', 'registry', (config) => (config['notebook-platform:environments'].minimal.image = 'docker.io/someone/notebook:2025-12-01'));
    const { io, out } = collect();
    expect(await run(['check', file], io)).toBe(1);
    const reason = (session: string, kind: string, container: string) =>
      `${file}: allowed-image-registries  ${urnOf('registry', `${SESSION}$kubernetes:apps/v1:StatefulSet`, `nb-team-b/StatefulSet/${session}`)}  StatefulSet nb-team-b/${session}: ${kind} "${container}" image docker.io/someone/notebook:2025-12-01 is not from an allowed registry (quay.io/jupyter, docker.io/jupyter, registry.k8s.io/git-sync)`;
    // The team's culler runs the team's own image, so it is checked the same way.
    const culler = `${file}: allowed-image-registries  ${urnOf('registry', 'notebook-platform:index:NotebookPlatform$kubernetes:apps/v1:Deployment', 'nb-team-b/Deployment/notebook-culler')}  Deployment nb-team-b/notebook-culler: container "culler" image docker.io/someone/notebook:2025-12-01 is not from an allowed registry (quay.io/jupyter, docker.io/jupyter, registry.k8s.io/git-sync)`;
    // So does its snapshot job (team-b schedules CSI snapshots).
    const snapshots = `${file}: allowed-image-registries  ${urnOf('registry', 'notebook-platform:index:NotebookPlatform$kubernetes:batch/v1:CronJob', 'nb-team-b/CronJob/notebook-snapshots')}  CronJob nb-team-b/notebook-snapshots: container "snapshots" image docker.io/someone/notebook:2025-12-01 is not from an allowed registry (quay.io/jupyter, docker.io/jupyter, registry.k8s.io/git-sync)`;
    expect(out).toEqual([
      culler,
      snapshots,
      reason('etl', 'init container', 'prepare-home'),
      reason('etl', 'container', 'notebook'),
      reason('etl-debug', 'init container', 'prepare-home'),
      reason('etl-debug', 'container', 'notebook'),
      reason('reports', 'init container', 'prepare-home'),
      reason('reports', 'container', 'notebook'),
      summary(file, '8 mandatory violations'),
    ]);
  });

  it('takes the policy pack config: an allowed registry passes, an advisory level prints and exits 0', async () => {
    const file = variant('team-b', 'configured', (config) => (config['notebook-platform:environments'].minimal.image = 'registry.example.com/notebooks/minimal:1.0'));
    const allow = join(dir, 'allow.json');
    writeFileSync(allow, JSON.stringify({ 'allowed-image-registries': { allowedRegistries: ['quay.io/jupyter', 'registry.example.com/notebooks'] } }));
    const allowed = collect();
    expect(await run(['check', file, '--policy-config', allow], allowed.io)).toBe(0);
    expect(allowed.out).toEqual([summary(file, 'ok')]);

    const advise = join(dir, 'advise.json');
    writeFileSync(advise, JSON.stringify({ 'allowed-image-registries': 'advisory' }));
    const advised = collect();
    expect(await run(['check', file, '--policy-config', advise], advised.io)).toBe(0);
    expect(advised.out[0]).toMatch(/: allowed-image-registries {2}urn:pulumi:configured::\S+ {2}advisory: Deployment nb-team-b\/notebook-culler: container "culler" image registry\.example\.com/);
    expect(advised.out[1]).toMatch(/: allowed-image-registries {2}urn:pulumi:configured::\S+ {2}advisory: CronJob nb-team-b\/notebook-snapshots: container "snapshots" image registry\.example\.com/);
    expect(advised.out[2]).toMatch(/: allowed-image-registries {2}urn:pulumi:configured::\S+ {2}advisory: StatefulSet nb-team-b\/etl: init container "prepare-home" image registry\.example\.com/);
    expect(advised.out[advised.out.length - 1]).toEqual(summary(file, 'ok with 8 advisory violations'));
  });

  it('fails an owner with more sessions than the pack allows, even where the team quota allows them', async () => {
    const file = variant('team-b', 'crowded', (config) => {
      config['notebook-platform:quota'] = { maxSessionsPerUser: 10 };
      const sessions = config['notebook-platform:sessions'];
      for (let i = 1; i <= 5; i++) sessions.push({ name: `extra-${i}`, owner: 'frank', size: 'small', environment: 'minimal', running: false });
    });
    const { io, out } = collect();
    expect(await run(['check', file], io)).toBe(1);
    expect(out).toEqual([
      expect.stringMatching(/: session-limits {2}urn:pulumi:crowded::\S+StatefulSet::nb-team-b\/StatefulSet\/\S+ {2}owner frank has 7 sessions \(etl, etl-debug, extra-1, extra-2, extra-3, extra-4, extra-5\); at most 5 per user$/),
      summary(file, '1 mandatory violation'),
    ]);
  });

  it('rejects usage errors with exit 2: no file, a bad policy config', async () => {
    const none = collect();
    expect(await run(['check'], none.io)).toBe(2);
    expect(none.err).toEqual(['notebook-platform check: check needs at least one stack config file (stacks/Pulumi.<team>.yaml) or --manifests PATH (a directory or file of Kubernetes manifests)']);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ 'no-such-rule': 'advisory' }));
    const configured = collect();
    expect(await run(['check', stackFile('demo'), '--policy-config', bad], configured.io)).toBe(2);
    expect(configured.err[0]).toMatch(/^notebook-platform check: .*bad\.json: unknown policy "no-such-rule"; policies: pods-run-as-non-root, /);
  });
});

describe('check on components made unsafe', () => {
  const demo = stackFile('demo');
  const demoUrn = (qualifiedType: string, name: string) => urnOf('demo', qualifiedType, name);

  it('fails a session StatefulSet mutated to privileged', async () => {
    const original = sessionManifests.sessionObjects;
    jest.spyOn(sessionManifests, 'sessionObjects').mockImplementation((plan, session) =>
      original(plan, session).map((object) => {
        if (object.kind !== 'StatefulSet' || session.name !== 'forecasting') return object;
        const copy = JSON.parse(JSON.stringify(object));
        copy.spec.template.spec.containers[0].securityContext.privileged = true;
        return copy;
      }),
    );
    const { io, out } = collect();
    expect(await checkFiles([demo], io)).toBe(1);
    expect(out).toEqual([
      `${demo}: no-host-access  ${demoUrn(`${SESSION}$kubernetes:apps/v1:StatefulSet`, 'nb-demo/StatefulSet/forecasting')}  StatefulSet nb-demo/forecasting: container "notebook" is privileged`,
      summary(demo, '1 mandatory violation'),
    ]);
  });

  it('fails a Service of type LoadBalancer injected beside the platform', async () => {
    const program = (stack: string, plan: Plan) => {
      const platform = new NotebookPlatform(stack, { plan });
      register.registerObject(
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'forecasting-public', namespace: plan.namespace }, spec: { type: 'LoadBalancer', selector: { 'notebook-platform.io/session': 'forecasting' }, ports: [{ port: 80, targetPort: 8888 }] } },
        { parent: platform },
      );
    };
    const { io, out } = collect();
    expect(await checkFiles([demo], io, { program })).toBe(1);
    expect(out).toEqual([
      `${demo}: cluster-ip-services-only  ${demoUrn('notebook-platform:index:NotebookPlatform$kubernetes:core/v1:Service', 'nb-demo/Service/forecasting-public')}  Service nb-demo/forecasting-public is of type LoadBalancer: it bypasses the ingress and its authentication`,
      summary(demo, '1 mandatory violation'),
    ]);
  });

  it('fails claims whose retention annotation says false without a purge', async () => {
    const original = register.withRetention;
    jest.spyOn(register, 'withRetention').mockImplementation((object) => original(object, false));
    const { io, out } = collect();
    expect(await checkFiles([stackFile('team-b')], io)).toBe(1);
    const claim = (name: string) => urnOf('team-b', 'notebook-platform:index:NotebookPlatform$kubernetes:core/v1:PersistentVolumeClaim', `nb-team-b/PersistentVolumeClaim/${name}`);
    const lines = (name: string) => [
      `${stackFile('team-b')}: data-retained-on-delete  ${claim(name)}  PersistentVolumeClaim nb-team-b/${name} would be deleted with its stack resource (notebook-platform.io/retain-on-delete: "false") but is not being purged; data leaves only through an explicit purge`,
      `${stackFile('team-b')}: data-retained-on-delete  ${claim(name)}  PersistentVolumeClaim nb-team-b/${name} says notebook-platform.io/retain-on-delete: "false" but is registered with retainOnDelete: true`,
    ];
    expect(out).toEqual([...lines('home-frank'), ...lines('home-grace'), ...lines('share-models'), summary(stackFile('team-b'), '6 mandatory violations')]);
  });

  it('fails a restricted share mounted in a session whose owner is not entitled', async () => {
    const program = (stack: string, plan: Plan) => {
      const sessions = plan.sessions.map((session) =>
        session.name === 'churn-model'
          ? { ...session, mounts: [...session.mounts, { share: 'payroll', claimName: 'share-payroll', mountPath: '/shared-data/payroll', readOnly: false }] }
          : session,
      );
      return new NotebookPlatform(stack, { plan: { ...plan, sessions } });
    };
    const { io, out } = collect();
    expect(await checkFiles([demo], io, { program })).toBe(1);
    expect(out).toEqual([
      `${demo}: share-entitlements  ${demoUrn(`${SESSION}$kubernetes:apps/v1:StatefulSet`, 'nb-demo/StatefulSet/churn-model')}  StatefulSet nb-demo/churn-model mounts restricted share payroll but owner alice is not entitled (readers: bob; writers: carol)`,
      summary(demo, '1 mandatory violation'),
    ]);
  });
});
