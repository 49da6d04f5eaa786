import { validateConfig, type Problem } from '../../../components/config';
import { baseConfig } from './fixtures';

function problemsOf(mutate: (config: Record<string, any>) => void): Problem[] {
  const config = baseConfig();
  mutate(config);
  const result = validateConfig(config);
  return result.ok ? [] : [...result.problems];
}

const code = (extra: Record<string, unknown> = {}) => ({ repo: 'https://git.example.com/a.git', mode: 'persistent', ...extra });
const IMAGE = 'must be an image reference [registry[:port]/]path[:tag][@sha256:<64 lowercase hex digits>] (distribution spec; the path lowercase)';
const REF = 'must be a git ref name (git check-ref-format): no "..", "@{", "//", control characters, spaces or any of ~^:?*[\\; no part starting with "." or ending in ".lock"; not starting with "-" or "/", not ending with "/" or "."';
const CIDR = 'must be an IPv4 CIDR such as "10.0.0.0/16" (a single address is "x.x.x.x/32"; octets 0-255 without leading zeros, prefix 0-32)';
const SUBDOMAIN = (what: string) => `must be a DNS subdomain (${what}): lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, at most 253 characters`;

describe('strings that reach another grammar', () => {
  // [description, mutation, path, value, message]
  const cases: [string, (c: Record<string, any>) => void, string, unknown, string][] = [
    ['a short sha256 digest', (c) => (c.environments.scipy.image = 'quay.io/jupyter/scipy-notebook@sha256:4b2f6a6d'), 'environments.scipy.image', 'quay.io/jupyter/scipy-notebook@sha256:4b2f6a6d', IMAGE],
    ['an uppercase digest', (c) => (c.environments.scipy.image = `quay.io/jupyter/scipy@sha256:${'A'.repeat(64)}`), 'environments.scipy.image', `quay.io/jupyter/scipy@sha256:${'A'.repeat(64)}`, IMAGE],
    ['an uppercase repository path', (c) => (c.environments.scipy.image = 'quay.io/Jupyter/scipy:1'), 'environments.scipy.image', 'quay.io/Jupyter/scipy:1', IMAGE],
    ['an image with a space', (c) => (c.environments.scipy.image = 'quay.io/jupyter/scipy:1 --privileged'), 'environments.scipy.image', 'quay.io/jupyter/scipy:1 --privileged', IMAGE],
    ['a git-sync image with a short digest', (c) => (c.images = { gitSync: 'registry.k8s.io/git-sync/git-sync@sha256:abc' }), 'images.gitSync', 'registry.k8s.io/git-sync/git-sync@sha256:abc', IMAGE],
    ['an autosave branch climbing out of refs', (c) => { c.sessions[0].code = code(); c.sessions[0].autosave = { branch: '../../heads/main' }; }, 'sessions[0].autosave.branch', '../../heads/main', REF],
    ['an autosave branch ending in .lock', (c) => { c.sessions[0].code = code(); c.sessions[0].autosave = { branch: 'autosave/x.lock' }; }, 'sessions[0].autosave.branch', 'autosave/x.lock', REF],
    ['an autosave branch that reads as an option', (c) => { c.sessions[0].code = code(); c.sessions[0].autosave = { branch: '-f' }; }, 'sessions[0].autosave.branch', '-f', REF],
    ['a code ref with @{', (c) => (c.sessions[0].code = code({ ref: 'main@{1}' })), 'sessions[0].code.ref', 'main@{1}', REF],
    ['a code ref with a space', (c) => (c.sessions[0].code = code({ ref: 'main --upload-pack=x' })), 'sessions[0].code.ref', 'main --upload-pack=x', REF],
    ['a code ref with //', (c) => (c.sessions[0].code = code({ ref: 'feature//x' })), 'sessions[0].code.ref', 'feature//x', REF],
    ['an nfs path with ..', (c) => (c.storage.path = '/exports/../etc'), 'storage.path', '/exports/../etc', 'must be an absolute path such as "/exports/notebooks" without "." or ".." parts, empty parts or spaces'],
    ['an nfs path ending in /..', (c) => (c.storage.path = '/exports/..'), 'storage.path', '/exports/..', 'must be an absolute path such as "/exports/notebooks" without "." or ".." parts, empty parts or spaces'],
    ['a TLS Secret name that is not a name', (c) => (c.ingress = { host: 'nb.example.com', tlsSecretName: 'Notebooks TLS' }), 'ingress.tlsSecretName', 'Notebooks TLS', SUBDOMAIN('a Secret name')],
    ['an ingress host with an empty label', (c) => (c.ingress = { host: 'nb..example.com' }), 'ingress.host', 'nb..example.com', SUBDOMAIN('a host name such as "notebooks.example.com"')],
    ['an SSO URL with quotes', (c) => (c.ingress = { host: 'nb.example.com', sso: { url: 'https://auth.example.com/oauth2"; more_set_headers "x', emailDomain: 'example.com' } }), 'ingress.sso.url', 'https://auth.example.com/oauth2"; more_set_headers "x', 'must be an https URL such as "https://auth.example.com/oauth2": a host name, an optional port and a path of letters, digits and -._~%/ (no quotes, spaces, "$", ";" or credentials)'],
    ['an SSO URL with credentials', (c) => (c.ingress = { host: 'nb.example.com', sso: { url: 'https://user:pw@auth.example.com/oauth2', emailDomain: 'example.com' } }), 'ingress.sso.url', 'https://user:pw@auth.example.com/oauth2', 'must be an https URL such as "https://auth.example.com/oauth2": a host name, an optional port and a path of letters, digits and -._~%/ (no quotes, spaces, "$", ";" or credentials)'],
    ['an SSO email domain with a space', (c) => (c.ingress = { host: 'nb.example.com', sso: { url: 'https://auth.example.com/oauth2', emailDomain: 'example.com evil.com' } }), 'ingress.sso.emailDomain', 'example.com evil.com', SUBDOMAIN('an email domain such as "example.com"')],
    ['a CIDR with leading-zero octets', (c) => (c.network = { egress: [{ cidr: '010.0.0.0/8', ports: [443] }] }), 'network.egress[0].cidr', '010.0.0.0/8', CIDR],
    ['a CIDR with a leading-zero prefix', (c) => (c.network = { gitHosts: [{ cidr: '10.0.0.0/08', ports: [22] }] }), 'network.gitHosts[0].cidr', '10.0.0.0/08', CIDR],
    ['a node-local DNS address with leading zeros', (c) => (c.network = { nodeLocalDns: '169.254.020.010' }), 'network.nodeLocalDns', '169.254.020.010', 'must be an IPv4 address such as "169.254.20.10" (octets 0-255 without leading zeros)'],
    ['a node selector key that is not a label key', (c) => (c.sizes.small.nodeSelector = { 'gpu type': 'a100' }), 'sizes.small.nodeSelector.gpu type', 'gpu type', 'is not a Kubernetes label key: [prefix/]name, the name at most 63 letters, digits, "-", "_" and "." starting and ending with a letter or digit, the prefix a DNS subdomain'],
    ['a node selector value that is not a label value', (c) => (c.sizes.small.nodeSelector = { 'example.com/gpu': 'a100; rm' }), 'sizes.small.nodeSelector.example.com/gpu', 'a100; rm', 'must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)'],
    ['namespace labels with a look-alike key', (c) => (c.network = { egress: [{ namespaceLabels: { 'kubernetes.io/metadata.nаme': 'git' }, ports: [22] }] }), 'network.egress[0].namespaceLabels.kubernetes.io/metadata.nаme', 'kubernetes.io/metadata.nаme', 'is not a Kubernetes label key: [prefix/]name, the name at most 63 letters, digits, "-", "_" and "." starting and ending with a letter or digit, the prefix a DNS subdomain'],
    ['a toleration key that is not a label key', (c) => (c.sizes.small.tolerations = [{ key: '/gpu' }]), 'sizes.small.tolerations[0].key', '/gpu', 'is not a Kubernetes label key: [prefix/]name, the name at most 63 letters, digits, "-", "_" and "." starting and ending with a letter or digit, the prefix a DNS subdomain'],
    ['a toleration value that is not a label value', (c) => (c.sizes.small.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'ml pool' }]), 'sizes.small.tolerations[0].value', 'ml pool', 'must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)'],
    ['a toleration value with operator Exists', (c) => (c.sizes.small.tolerations = [{ key: 'dedicated', value: 'ml' }]), 'sizes.small.tolerations[0]', { key: 'dedicated', operator: 'Exists', value: 'ml' }, 'has a value with operator "Exists", which matches any value: remove the value, or write operator: Equal'],
    ['a helpers node selector value that is not a label value', (c) => (c.helpers = { nodeSelector: { 'kubernetes.io/arch': 'amd64 arm64' } }), 'helpers.nodeSelector.kubernetes.io/arch', 'amd64 arm64', 'must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)'],
    ['a helpers toleration key that is not a label key', (c) => (c.helpers = { tolerations: [{ key: 'dedicated/' }] }), 'helpers.tolerations[0].key', 'dedicated/', 'is not a Kubernetes label key: [prefix/]name, the name at most 63 letters, digits, "-", "_" and "." starting and ending with a letter or digit, the prefix a DNS subdomain'],
    ['a helpers toleration value with operator Exists', (c) => (c.helpers = { tolerations: [{ key: 'dedicated', operator: 'Exists', value: 'notebooks' }] }), 'helpers.tolerations[0]', { key: 'dedicated', operator: 'Exists', value: 'notebooks' }, 'has a value with operator "Exists", which matches any value: remove the value, or write operator: Equal'],
  ];

  it.each(cases)('refuses %s', (_description, mutate, path, value, message) => {
    const problems = problemsOf(mutate);
    expect(problems).toContainEqual({ path: `notebook-platform:${path}`, message: `${JSON.stringify(value)} ${message}` });
  });

  it.each([
    ['a full sha256 digest', (c: Record<string, any>) => (c.environments.scipy.image = `quay.io/jupyter/scipy-notebook@sha256:${'0123456789abcdef'.repeat(4)}`)],
    ['a tag and a digest', (c: Record<string, any>) => (c.environments.scipy.image = `quay.io/jupyter/scipy-notebook:2025-12-01@sha256:${'a'.repeat(64)}`)],
    ['a registry with a port', (c: Record<string, any>) => (c.environments.scipy.image = 'localhost:5000/jupyter/scipy:1.0')],
    ['a Docker Hub short name', (c: Record<string, any>) => (c.environments.scipy.image = 'jupyter/scipy-notebook:2025-12-01')],
    ['refs a git server understands', (c: Record<string, any>) => { c.sessions[0].code = code({ ref: 'refs/tags/v1.2' }); c.sessions[0].autosave = { branch: 'autosave/churn-2' }; c.sessions[1].code = code({ ref: 'a'.repeat(40), mode: 'ephemeral' }); }],
    ['an nfs root export', (c: Record<string, any>) => (c.storage.path = '/')],
    ['an SSO URL with a port and a path', (c: Record<string, any>) => (c.ingress = { host: 'nb.example.com', tlsSecretName: 'nb.example.com-tls', sso: { url: 'https://auth.example.com:8443/oauth2/x_y~z', emailDomain: 'corp.example.com' } })],
    ['label keys with prefixes and empty values', (c: Record<string, any>) => (c.sizes.small.nodeSelector = { 'node.kubernetes.io/instance-type': 'm5.large', 'example.com/spot': '' })],
    ['CIDRs with zero octets', (c: Record<string, any>) => (c.network = { egress: [{ cidr: '0.0.0.0/0', ports: [443] }, { cidr: '10.0.0.0/8', ports: [443] }], nodeLocalDns: '169.254.20.10' })],
  ])('accepts %s', (_description, mutate) => {
    expect(problemsOf(mutate)).toEqual([]);
  });
});

describe('more strings that reach another grammar', () => {
  it('an NFS server is a host name or an IPv4 address', () => {
    for (const server of ['nfs.example.com; rm -rf /', '10.0.0.05', 'nfs..example.com', '-o nolock']) {
      expect(problemsOf((c) => (c.storage.server = server))).toEqual([
        { path: 'notebook-platform:storage.server', message: `${JSON.stringify(server)} must be a host name such as "nfs.example.com" or an IPv4 address such as "10.0.0.5" (no leading zeros)` },
      ]);
    }
    expect(problemsOf((c) => (c.storage.server = 'nfs-1.storage.example.com'))).toEqual([]);
  });

  it('an ingress class is an IngressClass name', () => {
    expect(problemsOf((c) => (c.ingress = { host: 'nb.example.com', className: 'Nginx Public' }))).toEqual([
      { path: 'notebook-platform:ingress.className', message: `"Nginx Public" ${SUBDOMAIN('an IngressClass name')}` },
    ]);
  });

  it('a git URL has no quotes, spaces, "$" or backslashes (it reaches git-sync and shell scripts)', () => {
    for (const repo of ['https://git.example.com/a.git"$(id)"', "git@git.example.com:org/a.git'", 'https://git.example.com/a`id`.git', 'https://git.example.com/a\\b.git']) {
      const problems = problemsOf((c) => (c.sessions[0].code = { repo, credentials: { secretName: 'k', type: repo.startsWith('git@') ? 'ssh' : 'token' } }));
      expect(problems).toContainEqual({
        path: 'notebook-platform:sessions[0].code.repo',
        message: `${JSON.stringify(repo)} is not an https or ssh git URL (https://host/org/repo.git, git@host:org/repo.git, ssh://host/org/repo.git)`,
      });
    }
  });
});

describe('AWS identifiers', () => {
  const efs = (extra: Record<string, unknown>) => (c: Record<string, any>) => (c.storage = { backend: 'efs', fileSystemId: 'fs-0123456789abcdef0', ...extra });
  const addon = { clusterName: 'analytics-eks', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF', oidcProviderUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF' };
  const KMS = 'must be a KMS key id, key ARN, alias name (alias/...) or alias ARN, such as "alias/notebooks"';

  it.each(['1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/notebooks', 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/team/notebooks'])('accepts the KMS key %s', (kmsKeyId) => {
    expect(problemsOf(efs({ kmsKeyId, csiDriverAddon: addon }))).toEqual([]);
  });

  it.each(['alias/notebooks"', 'my key', 'arn:aws:kms:eu-west-1:1111:key/x', 'alias/aws/../x y'])('refuses the KMS key %j', (kmsKeyId) => {
    expect(problemsOf(efs({ kmsKeyId }))).toEqual([{ path: 'notebook-platform:storage.kmsKeyId', message: `${JSON.stringify(kmsKeyId)} ${KMS}` }]);
  });

  it('refuses an EKS cluster name, OIDC provider ARN or issuer URL outside their grammars (they reach an IAM trust policy)', () => {
    const problems = problemsOf(efs({ csiDriverAddon: { clusterName: 'my cluster', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/*', oidcProviderUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/*' } }));
    expect(problems).toEqual([
      { path: 'notebook-platform:storage.csiDriverAddon.clusterName', message: '"my cluster" must be an EKS cluster name: a letter or digit, then up to 99 letters, digits, "-" and "_"' },
      { path: 'notebook-platform:storage.csiDriverAddon.oidcProviderArn', message: '"arn:aws:iam::111122223333:oidc-provider/*" must be an IAM OIDC provider ARN such as "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"' },
      { path: 'notebook-platform:storage.csiDriverAddon.oidcProviderUrl', message: '"https://oidc.eks.eu-west-1.amazonaws.com/id/*" must be the cluster\'s OIDC issuer, an https URL such as "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" (letters, digits and -._~%/ in the path)' },
    ]);
  });
});

describe('AWS tags', () => {
  const withTags = (tags: Record<string, string>) => (c: Record<string, any>) => (c.storage = { backend: 'efs', fileSystemId: 'fs-0123456789abcdef0', tags });

  it('accepts tags in the AWS tag grammar', () => {
    expect(problemsOf(withTags({ 'Team Name': 'Data Science', 'cost-center': '4711', 'example.com/owner': 'a+b@example.com', empty: '' }))).toEqual([]);
  });

  it('refuses reserved aws: keys and characters outside the grammar', () => {
    expect(problemsOf(withTags({ 'aws:cloudformation:stack-name': 'x', team: 'a"b', ['k'.repeat(129)]: 'v' }))).toEqual([
      { path: 'notebook-platform:storage.tags.aws:cloudformation:stack-name', message: '"aws:cloudformation:stack-name" is not an AWS tag key: 1-128 letters, digits, spaces and _.:/=+-@, not starting with "aws:"' },
      { path: 'notebook-platform:storage.tags.team', message: '"a\\"b" must be an AWS tag value: at most 256 letters, digits, spaces and _.:/=+-@' },
      { path: `notebook-platform:storage.tags.${'k'.repeat(129)}`, message: `"${'k'.repeat(96)}... is not an AWS tag key: 1-128 letters, digits, spaces and _.:/=+-@, not starting with "aws:"` },
    ]);
  });
});
