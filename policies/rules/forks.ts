/**
 * Forks as the cluster would see them: a session pod that mounts another session's home (its
 * fork source) mounts it read-only, only with the consent of the source's owner (the owner is
 * its own, or listed in the source StatefulSet's FORKABLE_BY_ANNOTATION), and only if its owner
 * is entitled to every restricted share the source, or anything the source was forked from,
 * mounts: a copied home carries whatever was copied out of those shares. Homes are matched by
 * claim and sub-directory, not by names, so any mount reaching into another home counts.
 */
import type { PolicyResource, StackValidationArgs } from '@pulumi/policy';
import { FORKABLE_BY_ANNOTATION, OWNER_LABEL, SESSION_LABEL, paths } from '../../shared/names';
import { shareAccess } from '../../shared/access';
import { containersOf, describe, describeContainer, isNotebookWorkload, normalisePath, notebookContainerOf, podTemplateOf, type KubeProps, type PodTemplate } from './kube';
import { stackRule, type StackRule } from './policy';
import { shareClaimsOf } from './storage';

type Problem = { readonly message: string; readonly urn?: string };

/** Where a mount lands: a claim in a namespace and a sub-directory of it ("" for the whole claim). */
interface Place {
  readonly claim: string;
  readonly subPath: string;
}

interface Session {
  readonly resource: PolicyResource;
  readonly props: KubeProps;
  readonly template: PodTemplate;
  readonly name: string;
  readonly namespace: string;
  readonly owner?: string;
  readonly forkableBy: readonly string[];
  readonly home?: Place;
}

const clean = (subPath: string | undefined) => (subPath ?? '').replace(/^\/+|\/+$/g, '');

/** The claim and sub-directory of each PVC mount of a pod, with the container and whether it is read-only. */
function claimMounts(template: PodTemplate) {
  const mounts: { place: Place; container: string; mountPath: string; readOnly: boolean }[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    for (const mount of container.volumeMounts ?? []) {
      const volume = (template.spec.volumes ?? []).find((v) => v.name === mount.name);
      const claim = volume?.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      mounts.push({ place: { claim, subPath: clean(mount.subPath) }, container: describeContainer(kind, container), mountPath: mount.mountPath, readOnly: !!mount.readOnly || !!volume.persistentVolumeClaim?.readOnly });
    }
  }
  return mounts;
}

function sessionsOf(resources: readonly PolicyResource[]): Session[] {
  const sessions: Session[] = [];
  for (const resource of resources) {
    const template = podTemplateOf(resource.type, resource.props);
    const props = resource.props as KubeProps;
    if (!template || !isNotebookWorkload(props, template)) continue;
    const labels = { ...props.metadata?.labels, ...template.metadata.labels };
    const notebook = notebookContainerOf(template);
    const homeMount = (notebook?.volumeMounts ?? []).find((mount) => normalisePath(mount.mountPath) === paths.home);
    const claim = homeMount && (template.spec.volumes ?? []).find((v) => v.name === homeMount.name)?.persistentVolumeClaim?.claimName;
    const forkableBy = (props.metadata?.annotations?.[FORKABLE_BY_ANNOTATION] ?? '').split(',').map((owner) => owner.trim()).filter(Boolean);
    sessions.push({
      resource, props, template, forkableBy,
      name: labels[SESSION_LABEL] ?? props.metadata?.name ?? resource.name,
      namespace: props.metadata?.namespace ?? 'default',
      owner: labels[OWNER_LABEL],
      home: claim ? { claim, subPath: clean(homeMount!.subPath) } : undefined,
    });
  }
  return sessions;
}

/** Whether a mount of `outer` holds everything at `inner` (the same place, or a directory above it). */
const reaches = (outer: Place, inner: Place) => outer.claim === inner.claim && (outer.subPath === '' || inner.subPath === outer.subPath || inner.subPath.startsWith(`${outer.subPath}/`));
const samePlace = (a: Place, b: Place) => a.claim === b.claim && a.subPath === b.subPath;

/** The homes of other sessions a session's pod mounts, with how. */
function foreignHomes(session: Session, sessions: readonly Session[]) {
  const found: { source: Session; container: string; readOnly: boolean }[] = [];
  for (const mount of claimMounts(session.template)) {
    if (session.home && samePlace(mount.place, session.home)) continue;
    for (const source of sessions) {
      if (source === session || source.namespace !== session.namespace || !source.home) continue;
      if (session.home && samePlace(source.home, session.home)) continue; // one home shared by an owner's sessions
      if (reaches(mount.place, source.home)) found.push({ source, container: mount.container, readOnly: mount.readOnly });
    }
  }
  return found;
}

export function checkForks(resources: readonly PolicyResource[]): Problem[] {
  const sessions = sessionsOf(resources);
  const { shares } = shareClaimsOf(resources);
  const problems: Problem[] = [];
  for (const session of sessions) {
    const what = describe(session.props);
    const who = session.owner ?? `a workload without an owner (${OWNER_LABEL})`;
    for (const { source, container, readOnly } of foreignHomes(session, sessions)) {
      const report = (message: string) => problems.push({ message: `${what}: ${message}`, urn: session.resource.urn });
      const consented = session.owner !== undefined && (source.owner === session.owner || source.forkableBy.includes(session.owner));
      if (!consented) {
        report(`${container} mounts the home of session ${source.name} (owner ${source.owner ?? 'unknown'}), which does not allow forks by ${who} (${FORKABLE_BY_ANNOTATION}: ${source.forkableBy.join(', ') || 'none'})`);
      }
      if (!readOnly) report(`${container} mounts the home of session ${source.name} read-write; a fork source is read-only`);
      // What the source's home may hold: every restricted share it, or its own fork sources, mounted.
      const lineage: Session[] = [];
      for (let next: Session[] = [source]; next.length > 0; ) {
        const current = next.shift()!;
        if (lineage.includes(current) || current === session) continue;
        lineage.push(current);
        next = [...next, ...foreignHomes(current, sessions).map((home) => home.source)];
      }
      const reported = new Set<string>();
      for (const ancestor of lineage) {
        for (const mount of claimMounts(ancestor.template)) {
          const share = shares.get(`${ancestor.namespace}/${mount.place.claim}`);
          if (!share || share.access !== 'restricted' || reported.has(share.share)) continue;
          if (session.owner !== undefined && shareAccess(share, session.owner) !== 'none') continue;
          reported.add(share.share);
          report(`forks session ${source.name}, whose home may hold copies of restricted share ${share.share} (mounted by ${ancestor.name}), but ${who} is not entitled (readers: ${share.readers.join(', ') || 'none'}; writers: ${share.writers.join(', ') || 'none'})`);
        }
      }
    }
  }
  return problems;
}

export function forkConsentRule(): StackRule {
  return stackRule(
    {
      name: 'fork-consent',
      description: "A session mounts another session's home only read-only, with its owner's consent (forkable-by), and only if entitled to the restricted shares that home may hold copies of.",
      enforcementLevel: 'mandatory',
      remediationSteps: `Fork only your own sessions, or sessions whose forkableBy lists you (${FORKABLE_BY_ANNOTATION} on the source StatefulSet); be a reader or writer of every restricted share the source mounts; mount the source read-only.`,
    },
    (args: StackValidationArgs) => checkForks(args.resources),
  );
}
