/**
 * Generated team configs for the benchmark: a team of N sessions that looks like a real one and
 * passes validation. Deterministic (same N, same config): no randomness, every choice is a
 * function of the session's index.
 *
 * What a team of N holds:
 * - about N/4 owners (at most 4 sessions each, under the default maxSessionsPerUser of 5);
 * - four sizes (half small, 30% medium, 15% large, 5% GPU) and three pinned environments;
 * - six shares, two of every access level; restricted ones list some owners as readers;
 * - 30% of the sessions stopped; 40% with ephemeral code (https + token), 20% with persistent
 *   code (ssh), half of those with autosave; 5% forked from the previous session; 20% naming
 *   their shares explicitly (the rest get every share their owner may mount);
 * - EFS created by the stack (team-a's layout; NFS for runs against a real cluster), an ingress
 *   with SSO, git hosts and egress rules;
 * - a quota computed to fit exactly what the sessions request, plus headroom.
 */
import { stringify } from 'yaml';

export const BENCH_TEAM = 'bench';

interface Size {
  readonly cpu: string;
  readonly memory: string;
  readonly gpu?: number;
  readonly workdirSize?: string;
}

const SIZES: Record<string, Size> = {
  small: { cpu: '500m', memory: '2Gi' },
  medium: { cpu: '1', memory: '4Gi' },
  large: { cpu: '4', memory: '16Gi', workdirSize: '50Gi' },
  gpu: { cpu: '4', memory: '32Gi', gpu: 1, workdirSize: '50Gi' },
};
/** Per size: CPU in millicores, memory in MiB, workdir in GiB (what the quota has to cover). */
const SIZE_COST: Record<string, { cpu: number; memoryMi: number; gpu: number; workdirGi: number }> = {
  small: { cpu: 500, memoryMi: 2048, gpu: 0, workdirGi: 10 },
  medium: { cpu: 1000, memoryMi: 4096, gpu: 0, workdirGi: 10 },
  large: { cpu: 4000, memoryMi: 16384, gpu: 0, workdirGi: 50 },
  gpu: { cpu: 4000, memoryMi: 32768, gpu: 1, workdirGi: 50 },
};
/** The autosave sidecar: request 50m/128Mi, memory limit 256Mi, ephemeral-storage limit 256Mi (the quota caps limits too). */
const SIDECAR = { cpu: 50, memoryMi: 256, ephemeralMi: 256 };
/** Every size's ephemeralStorage: the default, 10Gi. */
const NOTEBOOK_EPHEMERAL_MI = 10 * 1024;

const ENVIRONMENTS = {
  datascience: { image: 'quay.io/jupyter/datascience-notebook:2025-12-01' },
  scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01', description: 'SciPy stack' },
  'pytorch-cuda': { image: 'quay.io/jupyter/pytorch-notebook@sha256:4b2f6a6d4e0c9f3a8f6b1a2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6' },
};
const ENVIRONMENT_NAMES = Object.keys(ENVIRONMENTS);

const WORDS = ['analysis', 'imaging', 'churn', 'forecast', 'genomics', 'survey', 'trials', 'vision', 'nlp', 'pricing'];

export function ownerName(index: number): string {
  return `user-${String(index).padStart(4, '0')}`;
}

export function sessionName(index: number): string {
  return `${WORDS[index % WORDS.length]}-${String(index).padStart(4, '0')}`;
}

function sizeOf(index: number): string {
  const bucket = index % 20;
  return bucket < 10 ? 'small' : bucket < 16 ? 'medium' : bucket < 19 ? 'large' : 'gpu';
}

export interface BenchConfigOptions {
  /** @default "bench" */
  readonly team?: string;
  /**
   * efs: created by the stack, as on AWS (team-a's layout); nfs: an existing NFS server, nothing
   * outside Kubernetes, what a run against a real control plane needs. @default "efs"
   */
  readonly storage?: 'efs' | 'nfs';
  /**
   * Size owners and quota for this many sessions (at least `sessions`), so that a team of N and
   * a team of N+1 sized for N+1 differ by the last session alone. @default sessions
   */
  readonly sizedFor?: number;
}

const STORAGE = {
  efs: {
    backend: 'efs',
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1a1b2c3d4e5f60718', 'subnet-2a1b2c3d4e5f60718'],
    nodeSecurityGroupId: 'sg-0a1b2c3d4e5f60718',
    tags: { 'cost-center': 'research' },
  },
  nfs: { backend: 'nfs', server: 'nfs.storage.svc.cluster.local', path: '/exports/notebooks' },
} as const;

/** The `notebook-platform:*` values (namespace stripped) of a team with `sessions` sessions. */
export function benchConfig(sessions: number, options: BenchConfigOptions = {}): Record<string, unknown> {
  if (!Number.isInteger(sessions) || sessions < 1) throw new Error(`benchConfig: sessions must be a positive integer, got ${sessions}`);
  const sizedFor = Math.max(sessions, options.sizedFor ?? sessions);
  const owners = Math.max(2, Math.ceil(sizedFor / 4));
  const restrictedReaders = (every: number, offset: number) =>
    Array.from({ length: owners }, (_, i) => i).filter((i) => i % every === offset).map(ownerName);
  const shares = [
    { name: 'reference-data', access: 'public', writers: [ownerName(0)], size: '500Gi' },
    { name: 'public-models', access: 'public', size: '200Gi' },
    { name: 'team-data', access: 'team', size: '100Gi' },
    { name: 'team-scratch', access: 'team', size: '50Gi' },
    { name: 'patients', access: 'restricted', readers: restrictedReaders(5, 1), writers: [ownerName(0)], size: '50Gi' },
    { name: 'genomics', access: 'restricted', readers: restrictedReaders(7, 2), writers: [ownerName(1), ...restrictedReaders(7, 3).filter((owner) => owner !== ownerName(1))], size: '100Gi' },
  ];

  const list: Record<string, unknown>[] = [];
  const totals = { cpu: 0, memoryMi: 0, ephemeralMi: 0, gpu: 0, workdirGi: 0, running: 0 };
  for (let i = 0; i < sizedFor; i++) {
    const name = sessionName(i);
    const owner = ownerName(i % owners);
    const size = sizeOf(i);
    const running = i % 10 < 7;
    const session: Record<string, unknown> = { name, owner, size, environment: ENVIRONMENT_NAMES[i % ENVIRONMENT_NAMES.length] };
    if (!running) session.running = false;
    const code = i % 5;
    let autosave = false;
    if (code === 1 || code === 2) {
      session.code = {
        repo: `https://git.internal.example.com/research/${WORDS[i % WORDS.length]}.git`,
        ref: i % 2 === 0 ? 'main' : 'v1.4.0',
        credentials: { secretName: 'git-https-credentials', type: 'token' },
      };
    } else if (code === 3) {
      session.code = {
        repo: `git@git.internal.example.com:research/${name}.git`,
        mode: 'persistent',
        depth: 0,
        credentials: { secretName: 'git-deploy-key', type: 'ssh' },
      };
      if (i % 2 === 1) {
        session.autosave = { debounceSeconds: 60 };
        autosave = true;
      }
    }
    // Forks cross owners: the source allows the next owner and mounts no restricted share.
    if (i % 20 === 6) Object.assign(session, { forkableBy: [ownerName((i + 1) % owners)], shares: ['reference-data', 'team-data'] });
    if (i % 20 === 7 && i > 0) session.forkFrom = sessionName(i - 1);
    if (i % 5 === 4) session.shares = ['reference-data', 'team-data'];
    if (i < sessions) list.push(session);

    const cost = SIZE_COST[size];
    totals.workdirGi += cost.workdirGi;
    if (running) {
      totals.running++;
      totals.cpu += cost.cpu + (autosave ? SIDECAR.cpu : 0);
      totals.memoryMi += cost.memoryMi + (autosave ? SIDECAR.memoryMi : 0);
      totals.ephemeralMi += NOTEBOOK_EPHEMERAL_MI + (autosave ? SIDECAR.ephemeralMi : 0);
      totals.gpu += cost.gpu;
    }
  }
  const shareGi = 500 + 200 + 100 + 50 + 50 + 100;

  return {
    team: options.team ?? BENCH_TEAM,
    storage: STORAGE[options.storage ?? 'efs'],
    // As team-a: AWS Backup of the file system (nfs is the server's to back up).
    ...((options.storage ?? 'efs') === 'efs' ? { backup: { schedule: '0 3 * * *', retentionDays: 35 } } : {}),
    shares,
    sizes: SIZES,
    environments: ENVIRONMENTS,
    quota: {
      cpu: String(Math.ceil((totals.cpu * 1.1) / 1000) + 1),
      memory: `${Math.ceil((totals.memoryMi * 1.1) / 1024) + 1}Gi`,
      gpu: totals.gpu + 1,
      // Headroom for what the backend adds (nfs: the homes claim's nominal size).
      storage: `${Math.ceil((totals.workdirGi + shareGi) * 1.1) + 512}Gi`,
      ephemeralStorage: `${Math.ceil((totals.ephemeralMi * 1.1) / 1024) + 1}Gi`,
      persistentVolumeClaims: sizedFor + shares.length + 10,
      pods: totals.running + 10,
      maxSessionsPerUser: 5,
      maxRunningSessions: totals.running + 5,
    },
    network: {
      gitHosts: [{ cidr: '10.20.0.10/32', ports: [22, 443] }],
      egress: [
        { cidr: '10.30.0.0/16', ports: [5432] },
        { cidr: '10.40.0.0/24', ports: [443, 8443] },
      ],
      apiServer: { cidrs: ['10.0.0.0/16'], port: 443 },
    },
    access: { viewerGroups: ['oidc:bench-team'], adminGroups: ['oidc:platform-admins'], ownerSubject: 'oidc:{owner}' },
    ingress: {
      host: 'notebooks.bench.example.com',
      className: 'nginx',
      tlsSecretName: 'notebooks-tls',
      sso: { url: 'https://auth.example.com/oauth2', emailDomain: 'example.com' },
    },
    jupyter: { cullIdleKernelsAfterSeconds: 3600, stopIdleSessionsAfterSeconds: 7200 },
    platformEndpoint: 'https://notebooks.bench.example.com',
    sessions: list,
  };
}

/** The same config as a Pulumi stack config file (`Pulumi.<team>.yaml`), as `pulumi up` reads it. */
export function benchStackYaml(sessions: number, options: BenchConfigOptions = {}): string {
  const config: Record<string, unknown> = { 'aws:region': 'eu-west-1' };
  for (const [key, value] of Object.entries(benchConfig(sessions, options))) config[`notebook-platform:${key}`] = value;
  return `# Generated by bench/generate.ts: a team of ${sessions} sessions.\n${stringify({ config }, { lineWidth: 0 })}`;
}

/**
 * The policy pack config a platform team would review and set for such a team (the JSON of
 * `pulumi preview --policy-pack-config` and `notebook-platform check --policy-config`): the
 * pack's session limits raised to the team's quota. The pack's defaults (20 running sessions)
 * are for ordinary teams.
 */
export function benchPolicyConfig(sessions: number, options: BenchConfigOptions = {}): Record<string, unknown> {
  const quota = benchConfig(sessions, options).quota as { maxSessionsPerUser: number; maxRunningSessions: number };
  return { 'session-limits': { maxSessionsPerUser: quota.maxSessionsPerUser, maxRunningSessions: quota.maxRunningSessions } };
}
