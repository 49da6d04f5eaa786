/**
 * Checks that span fields: references between sessions, sizes, environments and shares; quotas;
 * derived names; what a storage backend can do. Each returns every problem it finds.
 */
import type { EgressRule, SessionConfig, StackConfig } from './schema';
import { configPath, show, type Problem } from './problems';
import { cullingProblems, ownerAccessProblems } from './culling-checks';
import { backupProblems, renameProblems, restoreProblems } from './lifecycle-checks';
import { secretReferenceProblems } from './secret-references';
import { forkProblems } from './fork-checks';
import { didYouMean } from './suggest';
import { hasEntry } from './special-keys';
import { parseQuantity } from './quantity';
import { MANAGED_BY, MANAGED_BY_LABEL, RESERVED_NAMESPACE, TEAM_LABEL, names, teamNamespace as namespaceOf } from './names';
import { HELPER_RESOURCES, METADATA_CIDR } from './plan-constants';
import { cidrContains } from './cidr';
import { sessionShareNames, shareAccess } from './share-entitlements';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
type Check = (config: StackConfig) => Problem[];

const problem = (path: (string | number)[], message: string): Problem => ({ path: configPath(path), message });
const list = (values: readonly string[]) => (values.length ? values.join(', ') : '(none defined)');

const uniqueNames: Check = (config) => {
  const problems: Problem[] = [];
  for (const [key, items] of [['sessions', config.sessions], ['shares', config.shares]] as const) {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const first = seen.get(item.name);
      if (first !== undefined) problems.push(problem([key, index, 'name'], `${show(item.name)} is already used by ${key}[${first}]; names must be unique`));
      else seen.set(item.name, index);
    });
  }
  return problems;
};

const references: Check = (config) => {
  const problems: Problem[] = [];
  const sizes = Object.keys(config.sizes);
  const environments = Object.keys(config.environments);
  const shareNames = config.shares.map((share) => share.name);
  const sessionNames = config.sessions.map((session) => session.name);
  config.sessions.forEach((session, index) => {
    if (!hasEntry(config.sizes, session.size)) {
      problems.push(problem(['sessions', index, 'size'], `${show(session.size)} is not a defined size; allowed: ${list(sizes)}${didYouMean(session.size, sizes)}`));
    }
    if (!hasEntry(config.environments, session.environment)) {
      problems.push(problem(['sessions', index, 'environment'], `${show(session.environment)} is not a defined environment; allowed: ${list(environments)}${didYouMean(session.environment, environments)}`));
    }
    (session.shares ?? []).forEach((name, shareIndex) => {
      const share = config.shares.find((candidate) => candidate.name === name);
      if (!share) {
        problems.push(problem(['sessions', index, 'shares', shareIndex], `${show(name)} is not a defined share; allowed: ${list(shareNames)}${didYouMean(name, shareNames)}`));
      } else if (shareAccess(share, session.owner) === 'none') {
        problems.push(problem(['sessions', index, 'shares', shareIndex], `restricted share ${show(name)} may not be mounted: owner ${show(session.owner)} is not one of its readers or writers (${list([...share.readers, ...share.writers])})`));
      }
    });
    if (session.forkFrom !== undefined) {
      const path = ['sessions', index, 'forkFrom'];
      if (session.forkFrom.includes('/')) problems.push(problem(path, `${show(session.forkFrom)}: forks across teams are not allowed; name a session of this team`));
      else if (session.forkFrom === session.name) problems.push(problem(path, `a session cannot fork itself`));
      else if (!sessionNames.includes(session.forkFrom)) problems.push(problem(path, `${show(session.forkFrom)} is not a session of this team; allowed: ${list(sessionNames.filter((n) => n !== session.name))}${didYouMean(session.forkFrom, sessionNames)}`));
      else if (config.stateModel === 'user') problems.push(problem(path, `forks need stateModel "session": with stateModel "user" both sessions would share one home`));
    }
  });
  return problems;
};

const forkCycles: Check = (config) => {
  const problems: Problem[] = [];
  const forkOf = new Map(config.sessions.map((session) => [session.name, session.forkFrom]));
  config.sessions.forEach((session, index) => {
    const chain = [session.name];
    let next = session.forkFrom;
    while (next !== undefined && forkOf.has(next)) {
      if (next === session.name) {
        problems.push(problem(['sessions', index, 'forkFrom'], `fork cycle: ${[...chain, next].join(' -> ')}`));
        break;
      }
      if (chain.includes(next)) break; // a cycle that does not pass through this session: reported by its members
      chain.push(next);
      next = forkOf.get(next);
    }
  });
  return problems;
};

const perUserLimits: Check = (config) => {
  const problems: Problem[] = [];
  const counts = new Map<string, number>();
  let running = 0;
  config.sessions.forEach((session, index) => {
    const count = (counts.get(session.owner) ?? 0) + 1;
    counts.set(session.owner, count);
    if (count === config.quota.maxSessionsPerUser + 1) {
      const total = config.sessions.filter((s) => s.owner === session.owner).length;
      problems.push(problem(['sessions', index, 'owner'], `${show(session.owner)} has ${total} sessions; quota.maxSessionsPerUser allows ${config.quota.maxSessionsPerUser}`));
    }
    if (session.running) {
      running++;
      if (running === config.quota.maxRunningSessions + 1) {
        const total = config.sessions.filter((s) => s.running).length;
        problems.push(problem(['sessions', index, 'running'], `${total} sessions are running; quota.maxRunningSessions allows ${config.quota.maxRunningSessions} (set running: false on some)`));
      }
    }
  });
  return problems;
};

/** Requests of a running session's pod: the notebook plus the autosave sidecar. */
function podRequests(config: StackConfig, session: SessionConfig): { cpu: number; memory: number; gpu: number } {
  const size = config.sizes[session.size];
  const sidecar = session.autosave ? 1 : 0;
  return {
    cpu: parseQuantity(size.cpu) + sidecar * parseQuantity(HELPER_RESOURCES.requests.cpu),
    memory: parseQuantity(size.memory) + sidecar * parseQuantity(HELPER_RESOURCES.requests.memory),
    gpu: size.gpu,
  };
}

/**
 * Node disk (ephemeral-storage) of the running sessions against quota.ephemeralStorage, which
 * the ResourceQuota applies to requests and limits alike: the notebook's from its size, the
 * autosave sidecar's fixed (init containers run before them and need less).
 */
const teamDiskQuota: Check = (config) => {
  if (config.sessions.some((session) => !hasEntry(config.sizes, session.size))) return []; // reported by references
  const running = config.sessions.filter((session) => session.running);
  const total = (section: 'requests' | 'limits') =>
    running.reduce((sum, s) => sum + parseQuantity(config.sizes[s.size].ephemeralStorage) + (s.autosave ? parseQuantity(HELPER_RESOURCES[section]['ephemeral-storage']) : 0), 0);
  const quota = parseQuantity(config.quota.ephemeralStorage);
  const gi = (value: number) => `${+(value / 2 ** 30).toFixed(2)}Gi`;
  const path = ['quota', 'ephemeralStorage'];
  if (total('requests') > quota) return [problem(path, `running sessions request ${gi(total('requests'))} of node disk (sizes' ephemeralStorage, autosave sidecars included); quota.ephemeralStorage is ${show(config.quota.ephemeralStorage)} (raise it or stop sessions)`)];
  if (total('limits') > quota) return [problem(path, `running sessions' ephemeral-storage limits total ${gi(total('limits'))} (autosave sidecars included); quota.ephemeralStorage caps limits too and is ${show(config.quota.ephemeralStorage)} (raise it or stop sessions)`)];
  return [];
};

const teamQuota: Check = (config) => {
  if (config.sessions.some((session) => !hasEntry(config.sizes, session.size))) return []; // reported by references
  const problems: Problem[] = [];
  const running = config.sessions.filter((session) => session.running);
  const total = running.map((session) => podRequests(config, session)).reduce((sum, r) => ({ cpu: sum.cpu + r.cpu, memory: sum.memory + r.memory, gpu: sum.gpu + r.gpu }), { cpu: 0, memory: 0, gpu: 0 });
  const fmt = (value: number, unit: 'cpu' | 'memory') => (unit === 'cpu' ? `${+value.toFixed(3)} cores` : `${+(value / 2 ** 30).toFixed(2)}Gi`);
  if (total.cpu > parseQuantity(config.quota.cpu) + 1e-9) problems.push(problem(['quota', 'cpu'], `running sessions request ${fmt(total.cpu, 'cpu')}; quota.cpu is ${show(config.quota.cpu)} (raise it or stop sessions)`));
  // The ResourceQuota caps memory limits too (manifests/quota.ts); the sidecar's limit is above its request.
  const memoryLimits = running.reduce((sum, s) => sum + parseQuantity(config.sizes[s.size].memory) + (s.autosave ? parseQuantity(HELPER_RESOURCES.limits.memory) : 0), 0);
  if (total.memory > parseQuantity(config.quota.memory)) problems.push(problem(['quota', 'memory'], `running sessions request ${fmt(total.memory, 'memory')}; quota.memory is ${show(config.quota.memory)} (raise it or stop sessions)`));
  else if (memoryLimits > parseQuantity(config.quota.memory)) problems.push(problem(['quota', 'memory'], `running sessions' memory limits total ${fmt(memoryLimits, 'memory')} (autosave sidecars included); quota.memory caps limits too and is ${show(config.quota.memory)} (raise it or stop sessions)`));
  if (total.gpu > config.quota.gpu) problems.push(problem(['quota', 'gpu'], `running sessions request ${total.gpu} GPUs; quota.gpu is ${config.quota.gpu}`));
  if (running.length > config.quota.pods) problems.push(problem(['quota', 'pods'], `${running.length} sessions are running; quota.pods is ${config.quota.pods}`));
  const claims = config.storage.backend === 'nfs' ? [] : config.stateModel === 'user' ? [...new Set(config.sessions.map((s) => s.owner))].map((owner) => config.sessions.find((s) => s.owner === owner)!) : config.sessions;
  const claimCount = claims.length + config.shares.length + (config.storage.backend === 'nfs' ? 1 : 0);
  if (claimCount > config.quota.persistentVolumeClaims) problems.push(problem(['quota', 'persistentVolumeClaims'], `the team needs ${claimCount} claims; quota.persistentVolumeClaims is ${config.quota.persistentVolumeClaims}`));
  // nfs: the homes claim's nominal size (storage.homesSize) counts against the quota like any claim.
  const homes = config.storage.backend === 'nfs' ? parseQuantity(config.storage.homesSize) : claims.reduce((sum, s) => sum + parseQuantity(config.sizes[s.size].workdirSize), 0);
  const storage = homes + config.shares.reduce((sum, share) => sum + parseQuantity(share.size), 0);
  if (storage > parseQuantity(config.quota.storage)) problems.push(problem(['quota', 'storage'], `claims request ${fmt(storage, 'memory')}; quota.storage is ${show(config.quota.storage)}`));
  return problems;
};

const derivedNames: Check = (config) => {
  const problems: Problem[] = [];
  const namespace = namespaceOf(config);
  const checkName = (path: (string | number)[], what: string, name: string) => {
    if (name.length > 63 || !DNS_LABEL.test(name)) problems.push(problem(path, `derived ${what} name ${show(name)} is ${name.length} characters; Kubernetes allows at most 63 (shorten it)`));
  };
  checkName(config.namespace ? ['namespace'] : ['team'], 'namespace', namespace);
  if (config.storage.backend === 'efs') checkName(['team'], 'StorageClass', names.workdirStorageClass(namespace));
  if (config.storage.backend === 'nfs') checkName(['team'], 'PersistentVolume', names.teamWorkdirVolume(namespace));
  config.shares.forEach((share, index) => {
    if (config.storage.backend !== 'storageClass') checkName(['shares', index, 'name'], 'PersistentVolume', names.shareVolume(namespace, share.name));
  });
  config.sessions.forEach((session, index) => {
    if (!/^[a-z]/.test(session.name)) problems.push(problem(['sessions', index, 'name'], `${show(session.name)} must start with a letter: it names the session's Service`));
  });
  return problems;
};

export { RESERVED_NAMESPACE };

/**
 * The namespace is always `nb-<team>`; the key may spell it out and nothing else. A team's
 * namespace holds what it owns (homes, shares, tokens), so a stack must never name one that is
 * the cluster's or another team's; any freer pattern would collide (team "a" with suffixes would
 * reach "nb-a-b", the namespace of team "a-b").
 */
const teamNamespace: Check = (config) => {
  const own = names.namespace(config.team);
  if (config.namespace === undefined || config.namespace === own) return [];
  const allowed = `allowed: ${show(own)}`;
  if (RESERVED_NAMESPACE.test(config.namespace)) return [problem(['namespace'], `${show(config.namespace)} is reserved for the cluster (default, kube-*); ${allowed}`)];
  return [problem(['namespace'], `${show(config.namespace)} is not the team's namespace; ${allowed} (nb-<team>: a freer pattern would let one team name another's, e.g. team "a" taking "nb-a-b" of team "a-b")`)];
};

/** Kubernetes' own groups: `system:authenticated` is every signed-in user, `system:masters` cluster admins. */
const SYSTEM_GROUP = /^system:/i;

/**
 * Viewer and admin groups are the team's own: a `system:` group stands for users across the
 * cluster, and a name with spaces at an end never matches the group it looks like.
 */
const accessGroups: Check = (config) => {
  const problems: Problem[] = [];
  for (const key of ['viewerGroups', 'adminGroups'] as const) {
    config.access[key].forEach((group, index) => {
      const path = ['access', key, index];
      if (group.trim() !== group) {
        problems.push(problem(path, `${show(group)} has spaces or control characters at either end; Kubernetes compares group names exactly, so the binding would name another group (or none)`));
      } else if (SYSTEM_GROUP.test(group)) {
        problems.push(problem(path, `${show(group)} is a Kubernetes system group (system:*): it stands for users across the cluster (every signed-in user, nodes, controllers), not the team; allowed: the team's own groups`));
      }
    });
  }
  return problems;
};

/** Every image the config names (environments and helpers) is pinned: a tag other than latest, or a digest. */
const images: Check = (config) => {
  const problems: Problem[] = [];
  const named: [(string | number)[], string][] = [
    ...Object.entries(config.environments).map(([name, environment]): [(string | number)[], string] => [['environments', name, 'image'], environment.image]),
    [['images', 'gitSync'], config.images.gitSync],
  ];
  for (const [path, image] of named) {
    if (/@sha256:[0-9a-f]{64}$/.test(image)) continue;
    const lastSegment = image.slice(image.lastIndexOf('/') + 1);
    const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
    if (tag === undefined) problems.push(problem(path, `${show(image)} has no tag; pin a tag or a digest (repo:tag or repo@sha256:...)`));
    else if (tag === 'latest') problems.push(problem(path, `${show(image)} uses :latest; pin a tag or a digest so sessions restart on the same image`));
  }
  return problems;
};

const gitUrls: Check = (config) => {
  const problems: Problem[] = [];
  config.sessions.forEach((session, index) => {
    if (!session.code) return;
    const path = ['sessions', index, 'code'];
    const repo = session.code.repo;
    // The URL reaches git-sync's arguments and the helpers' shell scripts: no quoting characters at all.
    // eslint-disable-next-line no-control-regex
    const plain = !/["'`$\\<>{}|^\s\x00-\x1f\x7f]/.test(repo);
    const https = plain && /^https:\/\/[^\s/]+\/\S+$/.test(repo);
    const ssh = plain && /^(ssh:\/\/[^\s/]+\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/.test(repo);
    if (/^https?:\/\/[^/\s]*@/.test(repo)) problems.push(problem([...path, 'repo'], `the URL holds credentials; remove them and set code.credentials to a Secret`));
    else if (!https && !ssh) problems.push(problem([...path, 'repo'], `${show(repo)} is not an https or ssh git URL (https://host/org/repo.git, git@host:org/repo.git, ssh://host/org/repo.git)`));
    const credentials = session.code.credentials;
    if (ssh && credentials?.type !== 'ssh') problems.push(problem([...path, 'credentials'], `an ssh URL needs credentials of type "ssh" naming a Secret with ssh-privatekey and known_hosts`));
    if (https && credentials?.type === 'ssh') problems.push(problem([...path, 'credentials', 'type'], `"ssh" credentials do not work with an https URL; use type "token"`));
    if (credentials?.caCertificate && credentials.type !== 'token') problems.push(problem([...path, 'credentials', 'caCertificate'], `a CA certificate is for https git servers (type "token"); ssh trusts the pinned known_hosts instead`));
    if (session.autosave && session.code.mode !== 'persistent') problems.push(problem(['sessions', index, 'autosave'], `autosave needs code.mode "persistent": an ephemeral /code is replaced on every start`));
  });
  config.sessions.forEach((session, index) => {
    if (session.autosave && !session.code) problems.push(problem(['sessions', index, 'autosave'], `autosave needs code (a repository to push to)`));
  });
  return problems;
};

const shares: Check = (config) => {
  const problems: Problem[] = [];
  config.shares.forEach((share, index) => {
    if (share.access === 'restricted' && share.readers.length + share.writers.length === 0) {
      problems.push(problem(['shares', index, 'readers'], `restricted share ${show(share.name)} lists no readers or writers; nobody could mount it`));
    }
    if (share.access === 'team' && share.readers.length > 0) {
      problems.push(problem(['shares', index, 'readers'], `team shares are read-write for every owner of the team; readers only apply to public and restricted shares`));
    }
    if (share.accessPointId && config.storage.backend !== 'efs') {
      problems.push(problem(['shares', index, 'accessPointId'], `accessPointId needs storage.backend "efs" (it is ${show(config.storage.backend)})`));
    }
    if (share.access === 'public' && config.storage.backend === 'storageClass') {
      problems.push(problem(['shares', index, 'access'], `public shares need a shared address that every team's volume points at (storage.backend "efs" or "nfs"); a storageClass backend gives each namespace its own volume`));
    }
  });
  return problems;
};

const storageBackend: Check = (config) => {
  const problems: Problem[] = [];
  const storage = config.storage;
  if (storage.backend === 'efs' && !storage.fileSystemId) {
    if (storage.subnetIds.length === 0) problems.push(problem(['storage', 'subnetIds'], `creating an EFS file system needs at least one subnet for its mount targets (or set storage.fileSystemId to adopt one)`));
    if (!storage.vpcId) problems.push(problem(['storage', 'vpcId'], `creating an EFS file system needs the VPC of its mount targets (or set storage.fileSystemId to adopt one)`));
    if (!storage.nodeSecurityGroupId) problems.push(problem(['storage', 'nodeSecurityGroupId'], `creating an EFS file system needs the node security group allowed to reach NFS (or set storage.fileSystemId to adopt one)`));
  }
  if (storage.backend === 'nfs') {
    config.sessions.forEach((session, index) => {
      if (session.purge) problems.push(problem(['sessions', index, 'purge'], `purge needs a claim per session; with storage.backend "nfs" homes are directories of the team volume: remove ${storage.path}/<namespace>/homes/sessions/${session.name} on the server`));
    });
  }
  config.sessions.forEach((session, index) => {
    if (session.purge && session.running) problems.push(problem(['sessions', index, 'purge'], `purge deletes the session's data: set running: false as well, so the intent is explicit`));
  });
  if (config.stateModel === 'user') {
    config.sessions.forEach((session, index) => {
      if (session.purge) problems.push(problem(['sessions', index, 'purge'], `purge deletes a session's own claim; with stateModel "user" the home belongs to the owner and is kept`));
    });
  }
  return problems;
};

/** The labels every team namespace carries besides its name: a peer naming only these selects notebook namespaces. */
const TEAM_NAMESPACE_LABEL_KEYS = [MANAGED_BY_LABEL, TEAM_LABEL];

/**
 * An in-cluster egress peer must name its namespace by labels that the team's own namespace does
 * not have: sessions never reach pods of their namespace (each other) through an egress rule.
 */
function egressPeerProblems(config: StackConfig, rule: EgressRule, path: (string | number)[]): Problem[] {
  const namespaceLabels = rule.namespaceLabels ?? {};
  const keys = Object.keys(namespaceLabels);
  if (keys.length === 0) {
    return [problem([...path, 'namespaceLabels'], `is empty, which would let sessions reach matching pods in every namespace; name the destination's namespace (e.g. kubernetes.io/metadata.name: git)`)];
  }
  const namespace = namespaceOf(config);
  const ownLabels: Record<string, string> = { 'kubernetes.io/metadata.name': namespace, [MANAGED_BY_LABEL]: MANAGED_BY, [TEAM_LABEL]: config.team };
  if (keys.every((key) => ownLabels[key] === namespaceLabels[key] || key.startsWith('pod-security.kubernetes.io/'))) {
    return [problem([...path, 'namespaceLabels'], `selects the team's own namespace ${show(namespace)}, where the notebook pods run; sessions may not reach each other: run the destination in a namespace of its own`)];
  }
  if (keys.every((key) => TEAM_NAMESPACE_LABEL_KEYS.includes(key) || key.startsWith('pod-security.kubernetes.io/'))) {
    return [problem([...path, 'namespaceLabels'], `names only labels that notebook namespaces carry (${keys.join(', ')}), so it could select other teams' notebooks; name the destination's namespace (e.g. kubernetes.io/metadata.name: git)`)];
  }
  return [];
}

const network: Check = (config) => {
  const problems: Problem[] = [];
  for (const key of ['gitHosts', 'egress'] as const) {
    config.network[key].forEach((rule, index) => {
      const path = ['network', key, index];
      const byLabels = rule.namespaceLabels !== undefined || rule.podLabels !== undefined;
      if (rule.cidr !== undefined && byLabels) {
        problems.push(problem(path, `has both cidr and namespaceLabels/podLabels; a rule names either an address range (cidr) or in-cluster pods (namespaceLabels, podLabels): split it in two`));
      } else if (rule.cidr === undefined && !byLabels) {
        problems.push(problem(path, `names no destination; set cidr (an address range) or namespaceLabels with optional podLabels (in-cluster pods)`));
      } else if (rule.cidr !== undefined && cidrContains(METADATA_CIDR, rule.cidr)) {
        problems.push(problem([...path, 'cidr'], `${show(rule.cidr)} is the cloud metadata address (${METADATA_CIDR}); sessions may never reach it (remove this rule)`));
      } else if (rule.cidr === undefined) {
        if (rule.namespaceLabels === undefined) problems.push(problem([...path, 'namespaceLabels'], `is required with podLabels: without it the rule would select pods of the team's own namespace; name the destination's namespace`));
        else problems.push(...egressPeerProblems(config, rule, path));
      }
    });
  }
  const nodeLocalDns = config.network.nodeLocalDns;
  if (nodeLocalDns && cidrContains(METADATA_CIDR, `${nodeLocalDns}/32`)) {
    problems.push(problem(['network', 'nodeLocalDns'], `${show(nodeLocalDns)} is the cloud metadata address, not a DNS cache; NodeLocal DNSCache listens on 169.254.20.10 unless configured otherwise`));
  }
  return problems;
};

const ingressPeers: Check = (config) =>
  config.network.ingressFrom.flatMap((peer, index) =>
    Object.keys(peer.namespaceLabels).length === 0
      ? [problem(['network', 'ingressFrom', index, 'namespaceLabels'], 'is empty, which would open the Jupyter port to matching pods in every namespace; name the ingress namespace (e.g. kubernetes.io/metadata.name: ingress-nginx)')]
      : [],
  );

/** Per-user homes share ~/code: an owner's persistent checkouts must all be of one repository. */
const sharedHomeCode: Check = (config) => {
  if (config.stateModel !== 'user') return [];
  const firstRepo = new Map<string, string>();
  const problems: Problem[] = [];
  config.sessions.forEach((session, index) => {
    if (session.code?.mode !== 'persistent') return;
    const first = firstRepo.get(session.owner);
    if (first === undefined) firstRepo.set(session.owner, session.code.repo);
    else if (first !== session.code.repo) {
      problems.push(problem(['sessions', index, 'code', 'repo'], `with stateModel "user" ${show(session.owner)}'s sessions share one home and one ~/code, already cloned from ${show(first)}; use code.mode "ephemeral" or the same repository`));
    }
  });
  return problems;
};

const CHECKS: readonly Check[] = [teamNamespace, accessGroups, ingressPeers, sharedHomeCode, uniqueNames, references, forkCycles, forkProblems, perUserLimits, teamQuota, teamDiskQuota, derivedNames, images, gitUrls, secretReferenceProblems, shares, storageBackend, network, cullingProblems, ownerAccessProblems, renameProblems, backupProblems, restoreProblems];

export function crossCheck(config: StackConfig): Problem[] {
  return CHECKS.flatMap((check) => check(config));
}

export { sessionShareNames };
