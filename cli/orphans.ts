/**
 * `orphans FILE [--json] [--context NAME]`: the claims and volumes labelled for the team that the
 * config no longer references — what removing a session or share leaves behind, since data is
 * retained — with whose they were and the config change (or admin step) that would delete one.
 * Read-only: it lists, it never deletes.
 */
import { readStackConfigFile } from '../components/config/load';
import { formatProblem } from '../components/config/problems';
import { validateConfig } from '../components/config/validate';
import type { Plan } from '../components/config/plan';
import type { StackConfig } from '../components/config/schema';
import { DATA_LABEL, OWNER_LABEL, SESSION_LABEL, SHARE_LABEL, TEAM_LABEL } from '../components/config/names';
import { parseQuantity } from '../components/config/quantity';
import { kubeApi, KubeApiError, type KubeApi, type KubeListItem } from '../components/kubernetes/api-client';
import { parseArgs, UsageError, type Io } from './io';

/** How an orphan can be deleted: a session entry to add (then remove), or steps for an administrator. */
export type PurgeHint =
  | { readonly how: 'config'; readonly sessionEntry: Readonly<Record<string, string | boolean>>; readonly steps: readonly string[] }
  | { readonly how: 'manual'; readonly reason: string; readonly commands: readonly string[] };

export interface Orphan {
  readonly kind: 'PersistentVolumeClaim' | 'PersistentVolume';
  readonly name: string;
  readonly namespace?: string;
  /** What the object held: workdir, home, share, workdirs (the nfs team volume). */
  readonly data?: string;
  readonly session?: string;
  readonly owner?: string;
  readonly share?: string;
  readonly size?: string;
  readonly createdAt?: string;
  readonly ageSeconds?: number;
  readonly phase?: string;
  /** A claim's volume, or a volume's claim (`namespace/name`). */
  readonly boundTo?: string;
  readonly purge: PurgeHint;
}

/** The claim and volume names the plan registers: anything else labelled for the team is an orphan. */
function referencedNames(plan: Plan): { claims: Set<string>; volumes: Set<string> } {
  const claims = new Set<string>([
    ...plan.sessions.map((session) => session.home.claimName),
    ...plan.userHomes.map((home) => home.home.claimName),
    ...plan.shares.map((share) => share.claimName),
    ...(plan.storage.teamWorkdir ? [plan.storage.teamWorkdir.claimName] : []),
  ]);
  const volumes = new Set<string>([
    ...plan.shares.flatMap((share) => (share.volumeName ? [share.volumeName] : [])),
    ...(plan.storage.teamWorkdir ? [plan.storage.teamWorkdir.volumeName] : []),
  ]);
  return { claims, volumes };
}

/** The config's size whose workdir fits the claim best: equal, else the smallest larger one, else the largest. */
function sizeFor(config: StackConfig, claimSize: string | undefined): string {
  const sizes = Object.entries(config.sizes).map(([name, size]) => ({ name, bytes: parseQuantity(size.workdirSize) })).sort((a, b) => a.bytes - b.bytes || (a.name < b.name ? -1 : 1));
  const want = claimSize ? parseQuantity(claimSize) : 0;
  return (sizes.find((size) => size.bytes === want) ?? sizes.find((size) => size.bytes >= want) ?? sizes[sizes.length - 1]).name;
}

function claimPurge(config: StackConfig, plan: Plan, claim: KubeListItem): PurgeHint {
  const labels = claim.metadata.labels ?? {};
  const session = labels[SESSION_LABEL];
  const owner = labels[OWNER_LABEL];
  const manual = (reason: string): PurgeHint => ({
    how: 'manual',
    reason,
    commands: [
      `kubectl delete pvc ${claim.metadata.name} -n ${plan.namespace}`,
      ...(claim.spec?.volumeName ? [`kubectl delete pv ${String(claim.spec.volumeName)}   # reclaim policy Retain: then remove its data on the storage backend`] : []),
    ],
  });
  if (labels[DATA_LABEL] === 'workdir' && session && owner) {
    if (plan.storage.backend === 'nfs') return manual('the nfs backend keeps homes as directories of one team volume; purge is not available there');
    if (plan.stateModel !== 'session') return manual('purge needs stateModel "session" (this config has per-user homes)');
    return {
      how: 'config',
      sessionEntry: { name: session, owner, size: sizeFor(config, claim.spec?.resources?.requests?.storage), environment: Object.keys(config.environments).sort()[0], running: false, purge: true },
      steps: [
        'add this entry to notebook-platform:sessions and `pulumi up` (the claim is adopted and re-registered without retainOnDelete)',
        'remove the entry and `pulumi up` again: the preview shows the claim\'s deletion',
      ],
    };
  }
  if (labels[DATA_LABEL] === 'share') return manual('shares have no purge in the config: a share may be mounted by other teams (public) and is deleted only by an administrator');
  if (labels[DATA_LABEL] === 'home') return manual('a per-user home belongs to its owner, not to one session; purge is not available for it');
  return manual('not a session\'s own claim');
}

function age(created: string | undefined, now: Date): number | undefined {
  if (!created) return undefined;
  const ms = now.getTime() - Date.parse(created);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : undefined;
}

/**
 * The orphans among the team's claims (listed by the team label in its namespace) and volumes
 * (labelled for the team, or claimed from its namespace: a dynamically provisioned volume carries
 * no labels). A volume is listed on its own only when it is not the volume of a listed claim.
 */
export function findOrphans(config: StackConfig, plan: Plan, claims: readonly KubeListItem[], volumes: readonly KubeListItem[], now: Date): Orphan[] {
  const referenced = referencedNames(plan);
  const orphans: Orphan[] = [];
  const claimedVolumes = new Set<string>();
  const liveClaims = new Set(claims.map((claim) => claim.metadata.name));
  for (const claim of claims) {
    const labels = claim.metadata.labels ?? {};
    if (labels[TEAM_LABEL] !== plan.team || claim.metadata.namespace !== plan.namespace) continue;
    const volumeName = claim.spec?.volumeName;
    if (referenced.claims.has(claim.metadata.name)) {
      if (volumeName) referenced.volumes.add(volumeName);
      continue;
    }
    if (volumeName) claimedVolumes.add(volumeName);
    orphans.push({
      kind: 'PersistentVolumeClaim',
      name: claim.metadata.name,
      namespace: plan.namespace,
      data: labels[DATA_LABEL],
      session: labels[SESSION_LABEL],
      owner: labels[OWNER_LABEL],
      share: labels[SHARE_LABEL],
      size: claim.status?.capacity?.storage ?? claim.spec?.resources?.requests?.storage,
      createdAt: claim.metadata.creationTimestamp,
      ageSeconds: age(claim.metadata.creationTimestamp, now),
      phase: claim.status?.phase,
      boundTo: volumeName,
      purge: claimPurge(config, plan, claim),
    });
  }
  for (const volume of volumes) {
    const labels = volume.metadata.labels ?? {};
    const claimRef = volume.spec?.claimRef;
    const ours = labels[TEAM_LABEL] === plan.team || claimRef?.namespace === plan.namespace;
    if (!ours || referenced.volumes.has(volume.metadata.name) || claimedVolumes.has(volume.metadata.name)) continue;
    // A volume whose claim is referenced but not created yet (first `pulumi up` in progress) is not an orphan.
    if (claimRef?.namespace === plan.namespace && claimRef.name && referenced.claims.has(claimRef.name) && !liveClaims.has(claimRef.name)) continue;
    const sessionOfClaim = claimRef?.name?.startsWith('workdir-') ? claimRef.name.slice('workdir-'.length) : undefined;
    orphans.push({
      kind: 'PersistentVolume',
      name: volume.metadata.name,
      data: labels[DATA_LABEL],
      session: labels[SESSION_LABEL] ?? sessionOfClaim,
      owner: labels[OWNER_LABEL],
      share: labels[SHARE_LABEL],
      size: volume.spec?.capacity?.storage,
      createdAt: volume.metadata.creationTimestamp,
      ageSeconds: age(volume.metadata.creationTimestamp, now),
      phase: volume.status?.phase,
      boundTo: claimRef?.name ? `${claimRef.namespace}/${claimRef.name}` : undefined,
      purge: {
        how: 'manual',
        reason: claimRef?.name && !liveClaims.has(claimRef.name) ? 'its claim is gone; the volume was kept by its reclaim policy (Retain)' : 'a volume the config no longer declares',
        commands: [`kubectl delete pv ${volume.metadata.name}   # reclaim policy Retain: then remove its data on the storage backend`],
      },
    });
  }
  return orphans.sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind === 'PersistentVolumeClaim' ? -1 : 1));
}

/** kubectl's age format: 42s, 5m, 3h, 12d. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

/** The table, a summary, and for each orphan how to delete it. */
export function formatOrphans(file: string, plan: Plan, orphans: readonly Orphan[]): string[] {
  const selector = `${TEAM_LABEL}=${plan.team}`;
  if (orphans.length === 0) return [`no orphans in ${plan.namespace}: every claim and volume labelled ${selector} is referenced by ${file}`];
  const lines = table([
    ['KIND', 'NAME', 'SESSION', 'OWNER', 'SIZE', 'AGE', 'PHASE', 'BOUND TO'],
    ...orphans.map((o) => [o.kind === 'PersistentVolumeClaim' ? 'pvc' : 'pv', o.name, o.session ?? (o.share ? `(share ${o.share})` : '-'), o.owner ?? '-', o.size ?? '-', formatAge(o.ageSeconds), o.phase ?? '-', o.boundTo ?? '-']),
  ]);
  lines.push('', `${orphans.length} orphan${orphans.length === 1 ? '' : 's'} of team ${plan.team} (labelled ${selector} or claimed from ${plan.namespace}, not referenced by ${file}). Nothing was deleted.`);
  for (const orphan of orphans) {
    lines.push('', `To purge ${orphan.kind === 'PersistentVolumeClaim' ? 'pvc' : 'pv'} ${orphan.name}:`);
    if (orphan.purge.how === 'config') {
      orphan.purge.steps.forEach((step, index) => lines.push(`  ${index + 1}. ${step}`));
      const entry = Object.entries(orphan.purge.sessionEntry);
      lines.push(`     - ${entry[0][0]}: ${String(entry[0][1])}`, ...entry.slice(1).map(([key, value]) => `       ${key}: ${String(value)}`));
    } else {
      lines.push(`  by hand (${orphan.purge.reason}), after checking nobody needs it:`, ...orphan.purge.commands.map((command) => `    ${command}`));
    }
  }
  return lines;
}

/** Lists the team's claims and volumes through the API and prints the orphans. Exit 0 whether or not there are any. */
export async function orphansOf(file: string, io: Io, api: KubeApi, options: { json?: boolean; now?: Date } = {}): Promise<number> {
  const raw = readStackConfigFile(file);
  const result = validateConfig(raw);
  if (!result.ok) {
    for (const problem of result.problems) io.out(`${file}: ${formatProblem(problem)}`);
    return 1;
  }
  const { config, plan } = result;
  const selector = { labelSelector: `${TEAM_LABEL}=${plan.team}` };
  const claims = await api.list(`/api/v1/namespaces/${encodeURIComponent(plan.namespace)}/persistentvolumeclaims`, selector);
  const volumes = await api.list('/api/v1/persistentvolumes');
  const orphans = findOrphans(config, plan, claims, volumes, options.now ?? new Date());
  if (options.json) io.out(JSON.stringify({ team: plan.team, namespace: plan.namespace, orphans }, null, 2));
  else for (const line of formatOrphans(file, plan, orphans)) io.out(line);
  return 0;
}

export async function orphansCommand(args: string[], io: Io): Promise<number> {
  const json = args.includes('--json');
  const { positional, options } = parseArgs(args.filter((arg) => arg !== '--json'), ['context']);
  if (positional.length !== 1) throw new UsageError('orphans needs exactly one stack config file (stacks/Pulumi.<team>.yaml)');
  try {
    return await orphansOf(positional[0], io, kubeApi({ context: options.context }), { json });
  } catch (error) {
    if (error instanceof KubeApiError) throw new UsageError(`cannot list the team's claims and volumes: ${error.message}`);
    throw error;
  }
}
