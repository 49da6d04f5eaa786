/**
 * policies/evaluate.ts, the one helper that fakes the CrossGuard runtime's arguments, held
 * against what it fakes: (1) the resources runOffline records, and (2) the real runtime, i.e.
 * the pack served by @pulumi/pulumi's run-policy-pack from policies/ (as `pulumi preview
 * --policy-pack policies` starts it) and called over gRPC with the same resources. Both must
 * report the same violations.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import * as grpc from '@grpc/grpc-js';
import { Struct } from 'google-protobuf/google/protobuf/struct_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { AnalyzerClient } from '@pulumi/pulumi/proto/analyzer_grpc_pb';
import * as analyzer from '@pulumi/pulumi/proto/analyzer_pb';
import { UNKNOWN, type RegisteredResource } from '../../../offline';
import {
  enforcementLevelOf, evaluatePolicies, packConfigProblems, policyConfigOf, resourceArgs, stackArgs, type PackConfig, type Violation,
} from '../../../policies/evaluate';
import { notebookPolicies, POLICY_PACK_NAME, type Rule } from '../../../policies/rules';
import { containerOf, pick, podSpecOf, stackResources, TYPE } from './fixtures';

const ROOT = join(__dirname, '..', '..', '..');

describe('resourceArgs and stackArgs over recorded resources', () => {
  let resources: RegisteredResource[];
  beforeAll(async () => {
    resources = await stackResources('team-a');
  });

  it('pass every resource with its type, name, URN, props and the analyzer\'s options', () => {
    for (const resource of resources) {
      const args = resourceArgs(resource, { answer: 42 });
      expect(args).toMatchObject({ type: resource.type, name: resource.name, urn: resource.urn });
      expect(args.opts).toMatchObject({ protect: resource.opts.protect, ignoreChanges: resource.opts.ignoreChanges, aliases: resource.opts.aliases, customTimeouts: resource.opts.customTimeouts });
      expect(Object.keys(args.props)).toEqual(Object.keys(resource.inputs));
      expect(args.getConfig()).toEqual({ answer: 42 });
    }
    const fileSystem = resourceArgs(pick(resources, TYPE.fileSystem));
    expect(fileSystem.opts.protect).toBe(true);
    expect(fileSystem.props.encrypted).toBe(true);
  });

  it('hand props through the runtime\'s unknown-checking proxy: an unknown value throws as in a preview', () => {
    const backup = resourceArgs(pick(resources, TYPE.backupPolicy));
    expect(pick(resources, TYPE.backupPolicy).inputs.fileSystemId).toBe(UNKNOWN);
    expect(() => backup.props.fileSystemId).toThrow("string value at .fileSystemId can't be known during preview");
    expect(backup.props.backupPolicy.status).toBe('ENABLED');
  });

  it('answer isType and asType with the SDK classes', () => {
    const statefulSet = resourceArgs(pick(resources, TYPE.statefulSet, 'imaging'));
    expect(statefulSet.isType(k8s.apps.v1.StatefulSet)).toBe(true);
    expect(statefulSet.isType(k8s.core.v1.Service)).toBe(false);
    expect(statefulSet.asType(k8s.apps.v1.StatefulSet)?.spec?.serviceName).toBe('imaging');
    expect(statefulSet.asType(k8s.core.v1.Service)).toBeUndefined();
    expect(() => statefulSet.notApplicable('no')).toThrow('no');
  });

  it('link stack resources to their parent, dependencies and property dependencies', () => {
    const { resources: linked } = stackArgs(resources);
    const byUrn = new Map(linked.map((r) => [r.urn, r]));
    const backup = byUrn.get(pick(resources, TYPE.backupPolicy).urn)!;
    expect(backup.propertyDependencies.fileSystemId.map((r) => r.type)).toEqual([TYPE.fileSystem]);
    expect(backup.parent?.type).toBe('notebook-platform:aws:EfsStorage');
    expect(backup.parent?.parent?.parent?.type).toBe('pulumi:pulumi:Stack');
    const claim = byUrn.get(pick(resources, TYPE.claim, 'workdir-imaging').urn)!;
    expect(claim.dependencies.map((r) => r.type)).toContain(TYPE.namespace);
  });
});

describe('evaluatePolicies: the runtime\'s semantics', () => {
  const rules = () => notebookPolicies();
  const named = (name: string) => rules().find((rule) => rule.name === name)!;

  it('turns a rule that touches an unknown value into an advisory "can\'t run during preview"', async () => {
    const resources = await stackResources('team-a');
    const nosy: Rule = { name: 'nosy', description: 'reads ids', enforcementLevel: 'mandatory', remediationSteps: 'none', validateResource: (args) => void args.props.fileSystemId };
    const found = await evaluatePolicies([nosy], [pick(resources, TYPE.backupPolicy)]);
    expect(found).toEqual([{ policy: 'nosy', enforcementLevel: 'advisory', urn: pick(resources, TYPE.backupPolicy).urn, message: "can't run policy 'nosy' during preview: string value at .fileSystemId can't be known during preview" }]);
  });

  it('applies enforcement levels from the config: per policy, "all", disabled, remediate as mandatory', async () => {
    const resources = await stackResources('team-a');
    containerOf(pick(resources, TYPE.statefulSet, 'imaging'), 'notebook').image = 'docker.io/someone/x:1';
    const rule = named('allowed-image-registries');
    expect((await evaluatePolicies([rule], resources, { 'allowed-image-registries': 'advisory' })).map((v) => v.enforcementLevel)).toEqual(['advisory']);
    expect(await evaluatePolicies([rule], resources, { 'allowed-image-registries': { enforcementLevel: 'disabled' } })).toEqual([]);
    expect(enforcementLevelOf(rule, { all: 'advisory' })).toBe('advisory');
    expect(enforcementLevelOf(rule, { all: 'advisory', 'allowed-image-registries': 'remediate' })).toBe('mandatory');
    expect(policyConfigOf(rule, {})).toEqual({ allowedRegistries: ['quay.io/jupyter', 'docker.io/jupyter', 'registry.k8s.io/git-sync'] });
  });

  it('checks a pack config against the policies and their schemas', () => {
    const config = { 'no-such-policy': 'mandatory', 'session-limits': { maxSessions: 3 }, 'pinned-images': 'sometimes' } as unknown as PackConfig;
    expect(packConfigProblems(config, rules())).toEqual([
      expect.stringMatching(/^unknown policy "no-such-policy"; policies: pods-run-as-non-root, /),
      'session-limits: unknown property "maxSessions"; allowed: maxSessionsPerUser, maxRunningSessions',
      'pinned-images: enforcementLevel "sometimes" is not one of advisory, mandatory, remediate, disabled',
    ]);
    expect(packConfigProblems({ all: 'advisory', 'session-limits': { maxSessionsPerUser: 3 } }, rules())).toEqual([]);
  });
});

// ---- against the real runtime --------------------------------------------------------------------

const LEVELS: Record<number, string> = {
  [analyzer.EnforcementLevel.ADVISORY]: 'advisory',
  [analyzer.EnforcementLevel.MANDATORY]: 'mandatory',
  [analyzer.EnforcementLevel.DISABLED]: 'disabled',
  [analyzer.EnforcementLevel.REMEDIATE]: 'remediate',
};

function optionsMessage(resource: RegisteredResource): analyzer.AnalyzerResourceOptions {
  const options = new analyzer.AnalyzerResourceOptions();
  options.setProtect(resource.opts.protect);
  options.setIgnorechangesList([...resource.opts.ignoreChanges]);
  options.setAliasesList([...resource.opts.aliases]);
  options.setAdditionalsecretoutputsList([...resource.opts.additionalSecretOutputs]);
  const timeouts = new analyzer.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(resource.opts.customTimeouts.createSeconds);
  timeouts.setUpdate(resource.opts.customTimeouts.updateSeconds);
  timeouts.setDelete(resource.opts.customTimeouts.deleteSeconds);
  options.setCustomtimeouts(timeouts);
  if (resource.parent) options.setParent(resource.parent);
  return options;
}

function analyzeRequest(resource: RegisteredResource): analyzer.AnalyzeRequest {
  const request = new analyzer.AnalyzeRequest();
  request.setType(resource.type);
  request.setName(resource.name);
  request.setUrn(resource.urn);
  request.setProperties(Struct.fromJavaScript(resource.inputs as never));
  request.setOptions(optionsMessage(resource));
  return request;
}

function stackRequest(resources: readonly RegisteredResource[]): analyzer.AnalyzeStackRequest {
  const request = new analyzer.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((resource) => {
      const message = new analyzer.AnalyzerResource();
      message.setType(resource.type);
      message.setName(resource.name);
      message.setUrn(resource.urn);
      message.setProperties(Struct.fromJavaScript(resource.inputs as never));
      message.setOptions(optionsMessage(resource));
      if (resource.parent) message.setParent(resource.parent);
      message.setDependenciesList([...resource.dependencies]);
      for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
        message.getPropertydependenciesMap().set(property, new analyzer.AnalyzerPropertyDependencies().setUrnsList([...urns]));
      }
      return message;
    }),
  );
  return request;
}

const call = <Request, Response>(method: (request: Request, callback: (error: grpc.ServiceError | null, response: Response) => void) => unknown, request: Request) =>
  new Promise<Response>((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));

/** The runtime reports `<description>\n<reason>`; evaluatePolicies the reason (check prints the policy name beside it). */
const fromDiagnostics = (response: analyzer.AnalyzeResponse, urn?: string): Violation[] =>
  response.getDiagnosticsList().map((d) => {
    const prefix = `${d.getDescription()}\n`;
    expect(d.getMessage().startsWith(prefix)).toBe(true);
    return { policy: d.getPolicyname(), enforcementLevel: LEVELS[d.getEnforcementlevel()] as Violation['enforcementLevel'], message: d.getMessage().slice(prefix.length), urn: d.getUrn() || urn };
  });

/** What the engine sends an analyzer: the recorded resources without the options it does not pass (retainOnDelete). */
const asEngineSendsThem = (resources: readonly RegisteredResource[]) =>
  resources.map((resource) => {
    const { protect, ignoreChanges, deleteBeforeReplace, aliases, customTimeouts, additionalSecretOutputs, parent } = resource.opts;
    return { ...resource, opts: { protect, ignoreChanges, deleteBeforeReplace, aliases, customTimeouts, additionalSecretOutputs, parent } as RegisteredResource['opts'] };
  });

/** A stack with something wrong for most rules. */
async function unsafeTeamA(): Promise<RegisteredResource[]> {
  const resources = await stackResources('team-a');
  const imaging = pick(resources, TYPE.statefulSet, 'imaging');
  const notebook = containerOf(imaging, 'notebook');
  Object.assign(notebook.securityContext, { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0 });
  notebook.image = 'docker.io/someone/notebook:latest';
  notebook.env.push({ name: 'DB_PASSWORD', value: 'hunter2' });
  podSpecOf(imaging).hostNetwork = true;
  delete containerOf(imaging, 'git-sync').resources.limits;
  imaging.inputs.spec.template.metadata.labels['notebook-platform.io/owner'] = 'mallory';
  pick(resources, TYPE.service, 'imaging').inputs.spec.type = 'LoadBalancer';
  pick(resources, TYPE.claim, 'workdir-trial-analysis').inputs.metadata.annotations['notebook-platform.io/retain-on-delete'] = 'false';
  pick(resources, TYPE.backupPolicy).inputs.backupPolicy.status = 'DISABLED';
  const fileSystem = pick(resources, TYPE.fileSystem);
  (fileSystem.opts as { protect: boolean }).protect = false;
  delete pick(resources, TYPE.namespace).inputs.metadata.labels['pod-security.kubernetes.io/enforce'];
  const jupyter = pick(resources, TYPE.configMap, 'trial-analysis-jupyter').inputs.data;
  jupyter['jupyter_server_config.py'] = jupyter['jupyter_server_config.py'].replace('c.IdentityProvider.token = _token', "c.IdentityProvider.token = ''");
  return resources;
}

describe('the served pack (run-policy-pack from policies/) agrees with evaluatePolicies', () => {
  let pack: ChildProcess;
  let client: AnalyzerClient;
  let stderr = '';

  beforeAll(async () => {
    pack = spawn(process.execPath, [join(ROOT, 'node_modules', '@pulumi', 'pulumi', 'cmd', 'run-policy-pack'), '127.0.0.1:0', '.'], { cwd: join(ROOT, 'policies'), stdio: ['ignore', 'pipe', 'pipe'] });
    pack.stderr!.on('data', (chunk) => (stderr += chunk));
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      pack.stdout!.on('data', (chunk) => {
        stdout += chunk;
        const match = /^(\d+)\s*$/m.exec(stdout);
        if (match) resolve(match[1]);
      });
      pack.on('exit', (code) => reject(new Error(`the pack exited (${code}) before serving:\n${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 180_000);

  afterAll(() => {
    client?.close();
    if (pack?.pid && pack.exitCode === null) process.kill(pack.pid);
  });

  it('serves every rule with its name, description, enforcement level, remediation and config schema', async () => {
    const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
    expect(info.getName()).toBe(POLICY_PACK_NAME);
    expect(info.getVersion()).toBe(require(join(ROOT, 'policies', 'package.json')).version); // eslint-disable-line @typescript-eslint/no-require-imports
    const served = info.getPoliciesList().map((p) => ({ name: p.getName(), description: p.getDescription(), level: LEVELS[p.getEnforcementlevel()], remediation: p.getRemediationSteps() }));
    expect(served).toEqual(notebookPolicies().map((p) => ({ name: p.name, description: p.description, level: p.enforcementLevel, remediation: p.remediationSteps })));
    const registries = info.getPoliciesList().find((p) => p.getName() === 'allowed-image-registries')!;
    expect(registries.getConfigschema()?.getProperties()?.toJavaScript()).toMatchObject({ allowedRegistries: { type: 'array', default: ['quay.io/jupyter', 'docker.io/jupyter', 'registry.k8s.io/git-sync'] } });
  });

  it('reports the same resource violations, resource by resource', async () => {
    const resources = await unsafeTeamA();
    const resourceRules = notebookPolicies().filter((p) => 'validateResource' in p);
    const expected = await evaluatePolicies(resourceRules, asEngineSendsThem(resources));
    const served: Violation[] = [];
    for (const resource of resources) served.push(...fromDiagnostics(await call(client.analyze.bind(client), analyzeRequest(resource)), resource.urn));
    const key = (v: Violation) => `${v.policy}|${v.urn}|${v.enforcementLevel}|${v.message}`;
    expect(served.map(key).sort()).toEqual(expected.map(key).sort());
    expect(new Set(expected.map((v) => v.policy)).size).toBeGreaterThanOrEqual(10);
  }, 60_000);

  it('reports the same stack violations, with the pack\'s config', async () => {
    const resources = await unsafeTeamA();
    const stackRules = notebookPolicies().filter((p) => 'validateStack' in p);
    const key = (v: Violation) => `${v.policy}|${v.urn ?? ''}|${v.enforcementLevel}|${v.message}`;
    const served = fromDiagnostics(await call(client.analyzeStack.bind(client), stackRequest(resources)));
    expect(served.map(key).sort()).toEqual((await evaluatePolicies(stackRules, asEngineSendsThem(resources))).map(key).sort());

    const config: PackConfig = { 'session-limits': { enforcementLevel: 'advisory', maxRunningSessions: 1 } };
    const configure = new analyzer.ConfigureAnalyzerRequest();
    const policyConfig = new analyzer.PolicyConfig();
    policyConfig.setEnforcementlevel(analyzer.EnforcementLevel.ADVISORY);
    policyConfig.setProperties(Struct.fromJavaScript({ maxRunningSessions: 1 }));
    configure.getPolicyconfigMap().set('session-limits', policyConfig);
    await call(client.configure.bind(client), configure);
    const configured = fromDiagnostics(await call(client.analyzeStack.bind(client), stackRequest(resources)));
    const expected = await evaluatePolicies(stackRules, asEngineSendsThem(resources), config);
    expect(configured.map(key).sort()).toEqual(expected.map(key).sort());
    expect(expected).toContainEqual({ policy: 'session-limits', enforcementLevel: 'advisory', message: '2 sessions are running; at most 1 may run at once (set running: false on some)' });
  }, 60_000);
});
