import { validateConfig, type Problem } from '../../../components/config';
import { baseConfig } from './fixtures';

function problemsOf(mutate: (config: Record<string, any>) => void): Problem[] {
  const config = baseConfig();
  mutate(config);
  const result = validateConfig(config);
  return result.ok ? [] : [...result.problems];
}

describe('validateConfig', () => {
  it('accepts the base config', () => {
    expect(validateConfig(baseConfig()).ok).toBe(true);
  });

  // [description, mutation, path, message]
  const cases: [string, (c: Record<string, any>) => void, string, string][] = [
    ['missing team', (c) => delete c.team, 'notebook-platform:team', 'is required (string)'],
    ['team not a DNS label', (c) => (c.team = 'Team_A'), 'notebook-platform:team', '"Team_A" must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit (a team name)'],
    ['team too long', (c) => (c.team = 'a'.repeat(31)), 'notebook-platform:team', `"${'a'.repeat(31)}": must be at most 30 characters (it is part of Kubernetes names)`],
    ['unknown top-level key', (c) => (c.sesions = []), 'notebook-platform:sesions', 'unknown key "sesions"; allowed keys: team, namespace, storage, stateModel, shares, sizes, environments, quota, network, access, ingress, jupyter, images, platformEndpoint, sessions, backup, usage, helpers (did you mean "sessions"?)'],
    ['unknown storage backend', (c) => (c.storage = { backend: 'ebs' }), 'notebook-platform:storage.backend', '"ebs" is not allowed; allowed: efs, nfs, storageClass (did you mean "efs"?)'],
    ['nfs path not absolute', (c) => (c.storage.path = 'exports'), 'notebook-platform:storage.path', '"exports" must be an absolute path such as "/exports/notebooks" without "." or ".." parts, empty parts or spaces'],
    ['unknown key in a size', (c) => (c.sizes.small.memroy = '1Gi'), 'notebook-platform:sizes.small.memroy', 'unknown key "memroy"; allowed keys: cpu, memory, cpuLimit, gpu, workdirSize, ephemeralStorage, nodeSelector, tolerations (did you mean "memory"?)'],
    ['bad cpu quantity', (c) => (c.sizes.small.cpu = 'half'), 'notebook-platform:sizes.small.cpu', '"half" must be a Kubernetes quantity such as "500m"'],
    ['bad memory quantity', (c) => (c.sizes.large.memory = '16GB'), 'notebook-platform:sizes.large.memory', '"16GB" must be a Kubernetes quantity such as "2Gi"'],
    ['state model', (c) => (c.stateModel = 'shared'), 'notebook-platform:stateModel', '"shared" is not allowed; allowed: session, user'],
    ['share access level', (c) => (c.shares[1].access = 'private'), 'notebook-platform:shares[1].access', '"private" is not allowed; allowed: public, team, restricted'],
    ['running not a boolean', (c) => (c.sessions[0].running = 'yes'), 'notebook-platform:sessions[0].running', 'expected boolean, got string "yes"'],
    ['sessions not a list', (c) => (c.sessions = { churn: {} }), 'notebook-platform:sessions', 'expected array, got a map'],
    ['session name not a DNS label', (c) => (c.sessions[0].name = 'Churn Model'), 'notebook-platform:sessions[0].name', '"Churn Model" must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit (a session name)'],
    ['session name starting with a digit', (c) => (c.sessions[0].name = '1churn'), 'notebook-platform:sessions[0].name', `"1churn" must start with a letter: it names the session's Service`],
    ['duplicate session', (c) => (c.sessions[2].name = 'churn'), 'notebook-platform:sessions[2].name', '"churn" is already used by sessions[0]; names must be unique'],
    ['duplicate share', (c) => (c.shares[1].name = 'datasets'), 'notebook-platform:shares[1].name', '"datasets" is already used by shares[0]; names must be unique'],
    ['unknown size', (c) => (c.sessions[2].size = 'smal'), 'notebook-platform:sessions[2].size', '"smal" is not a defined size; allowed: small, large (did you mean "small"?)'],
    ['unknown environment', (c) => (c.sessions[1].environment = 'pytorch'), 'notebook-platform:sessions[1].environment', '"pytorch" is not a defined environment; allowed: scipy'],
    ['unknown share', (c) => (c.sessions[0].shares = ['dataset']), 'notebook-platform:sessions[0].shares[0]', '"dataset" is not a defined share; allowed: datasets, scratch, payroll (did you mean "datasets"?)'],
    ['restricted share for a non-entitled owner', (c) => (c.sessions[0].shares = ['payroll']), 'notebook-platform:sessions[0].shares[0]', 'restricted share "payroll" may not be mounted: owner "alice" is not one of its readers or writers (bob)'],
    ['fork of a missing session', (c) => (c.sessions[2].forkFrom = 'churm'), 'notebook-platform:sessions[2].forkFrom', '"churm" is not a session of this team; allowed: churn, forecast (did you mean "churn"?)'],
    ['fork of itself', (c) => (c.sessions[0].forkFrom = 'churn'), 'notebook-platform:sessions[0].forkFrom', 'a session cannot fork itself'],
    ['fork across teams', (c) => (c.sessions[0].forkFrom = 'other-team/model'), 'notebook-platform:sessions[0].forkFrom', '"other-team/model": forks across teams are not allowed; name a session of this team'],
    ['fork with per-user state', (c) => { c.stateModel = 'user'; c.sessions[2].forkFrom = 'churn'; }, 'notebook-platform:sessions[2].forkFrom', 'forks need stateModel "session": with stateModel "user" both sessions would share one home'],
    ['too many sessions for one owner', (c) => { c.quota = { maxSessionsPerUser: 1 }; c.sessions.push({ name: 'churn-2', owner: 'alice', size: 'small', environment: 'scipy' }); }, 'notebook-platform:sessions[3].owner', '"alice" has 2 sessions; quota.maxSessionsPerUser allows 1'],
    ['too many running sessions', (c) => (c.quota = { maxRunningSessions: 1 }), 'notebook-platform:sessions[1].running', '2 sessions are running; quota.maxRunningSessions allows 1 (set running: false on some)'],
    ['cpu over the team quota', (c) => (c.quota = { cpu: '4' }), 'notebook-platform:quota.cpu', 'running sessions request 4.5 cores; quota.cpu is "4" (raise it or stop sessions)'],
    ['memory over the team quota', (c) => (c.quota = { memory: '16Gi' }), 'notebook-platform:quota.memory', 'running sessions request 18Gi; quota.memory is "16Gi" (raise it or stop sessions)'],
    ['nfs homes and shares over the storage quota', (c) => (c.quota = { storage: '400Gi' }), 'notebook-platform:quota.storage', 'claims request 500Gi; quota.storage is "400Gi"'],
    ['gpu over the team quota', (c) => (c.sizes.large.gpu = 2), 'notebook-platform:quota.gpu', 'running sessions request 2 GPUs; quota.gpu is 0'],
    ['derived namespace too long', (c) => (c.namespace = 'n'.repeat(64)), 'notebook-platform:namespace', `"${'n'.repeat(64)}": must be at most 63 characters (it is part of Kubernetes names)`],
    ['derived PV name too long', (c) => { c.team = 't'.repeat(30); c.shares[0].name = 's'.repeat(40); c.sessions[0].shares = []; }, 'notebook-platform:shares[0].name', `derived PersistentVolume name "nb-${'t'.repeat(30)}-share-${'s'.repeat(40)}" is 80 characters; Kubernetes allows at most 63 (shorten it)`],
    ['image with :latest', (c) => (c.environments.scipy.image = 'quay.io/jupyter/scipy-notebook:latest'), 'notebook-platform:environments.scipy.image', '"quay.io/jupyter/scipy-notebook:latest" uses :latest; pin a tag or a digest so sessions restart on the same image'],
    ['untagged image', (c) => (c.environments.scipy.image = 'localhost:5000/jupyter/scipy'), 'notebook-platform:environments.scipy.image', '"localhost:5000/jupyter/scipy" has no tag; pin a tag or a digest (repo:tag or repo@sha256:...)'],
    ['git URL over http', (c) => (c.sessions[0].code = { repo: 'http://git.example.com/a.git' }), 'notebook-platform:sessions[0].code.repo', '"http://git.example.com/a.git" is not an https or ssh git URL (https://host/org/repo.git, git@host:org/repo.git, ssh://host/org/repo.git)'],
    ['credentials in a git URL', (c) => (c.sessions[0].code = { repo: 'https://user:hunter2@git.example.com/a.git' }), 'notebook-platform:sessions[0].code.repo', 'the URL holds credentials; remove them and set code.credentials to a Secret'],
    ['ssh URL without a key Secret', (c) => (c.sessions[0].code = { repo: 'git@git.example.com:org/a.git' }), 'notebook-platform:sessions[0].code.credentials', 'an ssh URL needs credentials of type "ssh" naming a Secret with ssh-privatekey and known_hosts'],
    ['a CA certificate for ssh', (c) => (c.sessions[0].code = { repo: 'git@git.example.com:org/a.git', credentials: { secretName: 'k', type: 'ssh', caCertificate: true } }), 'notebook-platform:sessions[0].code.credentials.caCertificate', 'a CA certificate is for https git servers (type "token"); ssh trusts the pinned known_hosts instead'],
    ['git-sync image with :latest', (c) => (c.images = { gitSync: 'mirror.internal/git-sync:latest' }), 'notebook-platform:images.gitSync', '"mirror.internal/git-sync:latest" uses :latest; pin a tag or a digest so sessions restart on the same image'],
    ['unknown helper image', (c) => (c.images = { gitsync: 'mirror.internal/git-sync:v4' }), 'notebook-platform:images.gitsync', 'unknown key "gitsync"; allowed keys: gitSync (did you mean "gitSync"?)'],
    ['credentials without a Secret name', (c) => (c.sessions[0].code = { repo: 'https://git.example.com/a.git', credentials: { type: 'token' } }), 'notebook-platform:sessions[0].code.credentials.secretName', 'is required (string)'],
    ['autosave with ephemeral code', (c) => (c.sessions[0].code = { repo: 'https://git.example.com/a.git' }, c.sessions[0].autosave = {}), 'notebook-platform:sessions[0].autosave', 'autosave needs code.mode "persistent": an ephemeral /code is replaced on every start'],
    ['restricted share without readers', (c) => { c.shares[2].readers = []; c.sessions[1].shares = []; }, 'notebook-platform:shares[2].readers', 'restricted share "payroll" lists no readers or writers; nobody could mount it'],
    ['public share on a storageClass backend', (c) => (c.storage = { backend: 'storageClass', storageClassName: 'cephfs' }), 'notebook-platform:shares[0].access', `public shares need a shared address that every team's volume points at (storage.backend "efs" or "nfs"); a storageClass backend gives each namespace its own volume`],
    ['created EFS without subnets', (c) => (c.storage = { backend: 'efs', vpcId: 'vpc-0abc', nodeSecurityGroupId: 'sg-0abc' }), 'notebook-platform:storage.subnetIds', 'creating an EFS file system needs at least one subnet for its mount targets (or set storage.fileSystemId to adopt one)'],
    ['bad EFS id', (c) => (c.storage = { backend: 'efs', fileSystemId: 'efs-123' }), 'notebook-platform:storage.fileSystemId', '"efs-123" must be an EFS id such as "fs-0123456789abcdef0"'],
    ['purge while running', (c) => (c.sessions[0].purge = true, c.storage = { backend: 'storageClass', storageClassName: 'cephfs' }, c.shares[0].access = 'team'), 'notebook-platform:sessions[0].purge', `purge deletes the session's data: set running: false as well, so the intent is explicit`],
    ['purge on nfs', (c) => (c.sessions[2].purge = true), 'notebook-platform:sessions[2].purge', 'purge needs a claim per session; with storage.backend "nfs" homes are directories of the team volume: remove /exports/notebooks/<namespace>/homes/sessions/report on the server'],
    ['egress CIDR without mask', (c) => (c.network = { egress: [{ cidr: '10.0.0.1', ports: [443] }] }), 'notebook-platform:network.egress[0].cidr', '"10.0.0.1" must be an IPv4 CIDR such as "10.0.0.0/16" (a single address is "x.x.x.x/32"; octets 0-255 without leading zeros, prefix 0-32)'],
    ['port out of range', (c) => (c.network = { gitHosts: [{ cidr: '10.0.0.1/32', ports: [70000] }] }), 'notebook-platform:network.gitHosts[0].ports[0]', '70000: expected number to be <=65535'],
    ['ingress peer in every namespace', (c) => (c.network = { ingressFrom: [{ namespaceLabels: {}, podLabels: { app: 'proxy' } }] }), 'notebook-platform:network.ingressFrom[0].namespaceLabels', 'is empty, which would open the Jupyter port to matching pods in every namespace; name the ingress namespace (e.g. kubernetes.io/metadata.name: ingress-nginx)'],
    ['two repositories in one shared home', (c) => { c.stateModel = 'user'; c.sessions.push({ name: 'churn-2', owner: 'alice', size: 'small', environment: 'scipy', running: false, code: { repo: 'https://git.example.com/b.git', mode: 'persistent' } }); c.sessions[0].code = { repo: 'https://git.example.com/a.git', mode: 'persistent' }; }, 'notebook-platform:sessions[3].code.repo', `with stateModel "user" "alice"'s sessions share one home and one ~/code, already cloned from "https://git.example.com/a.git"; use code.mode "ephemeral" or the same repository`],
    ['sso URL not https', (c) => (c.ingress = { host: 'nb.example.com', sso: { url: 'http://auth', emailDomain: 'example.com' } }), 'notebook-platform:ingress.sso.url', '"http://auth" must be an https URL such as "https://auth.example.com/oauth2": a host name, an optional port and a path of letters, digits and -._~%/ (no quotes, spaces, "$", ";" or credentials)'],
  ];

  it.each(cases)('%s', (_description, mutate, path, message) => {
    const problems = problemsOf(mutate);
    expect(problems).toContainEqual({ path, message });
  });

  it('has at least 30 invalid cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('reports every problem, not just the first', () => {
    const problems = problemsOf((c) => {
      c.sessions[0].size = 'huge';
      c.sessions[1].environment = 'r';
      c.environments.scipy.image = 'jupyter/scipy';
      c.bogus = 1;
    });
    expect(problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['notebook-platform:bogus']),
    );
    // Schema problems come first; cross-field problems are reported once the shape is valid.
    const shapeValid = problemsOf((c) => {
      c.sessions[0].size = 'huge';
      c.sessions[1].environment = 'r';
      c.environments.scipy.image = 'jupyter/scipy';
    });
    expect(shapeValid.map((p) => p.path).sort()).toEqual([
      'notebook-platform:environments.scipy.image',
      'notebook-platform:sessions[0].size',
      'notebook-platform:sessions[1].environment',
    ]);
  });

  it('detects fork cycles', () => {
    const problems = problemsOf((c) => {
      // One owner, so the cycle is the only problem (forks across owners need consent).
      for (const session of c.sessions) session.owner = 'bob';
      c.sessions[0].forkFrom = 'forecast';
      c.sessions[1].forkFrom = 'report';
      c.sessions[2].forkFrom = 'churn';
    });
    expect(problems).toContainEqual({ path: 'notebook-platform:sessions[0].forkFrom', message: 'fork cycle: churn -> forecast -> report -> churn' });
    expect(problems).toHaveLength(3);
  });
});
