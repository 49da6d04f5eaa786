/**
 * What an editor shows for each field of a stack config: a description, an example and, where
 * the schema holds no default value, what leaving the field out means. Written into the JSON
 * Schema generated from the zod schema (schema/stack-config.schema.json) as `description` and
 * `examples`, which a YAML language server shows on hover. Kept in one table rather than spread
 * through schema.ts so the schema stays readable; a unit test fails when a field has no entry.
 *
 * Paths: fields joined by ".", `[]` for the elements of a list, `*` for the values of a map
 * (`sizes.*.cpu`). A path names the field in every variant of a union (`storage.path` is the
 * nfs backend's).
 */
import { z } from 'zod';

export interface FieldDoc {
  /** What the field is for, in a sentence or two. */
  readonly description: string;
  /** A value a team would write. */
  readonly example: unknown;
  /** For an optional field without a default value: what leaving it out means. */
  readonly default?: string;
}

const SECONDS = 'Seconds';

export const FIELD_DOCS: Readonly<Record<string, FieldDoc>> = {
  team: { description: 'Team name (DNS label, at most 30 characters): keys the namespace and every team object.', example: 'team-a' },
  namespace: { description: 'The team namespace; may only spell out nb-<team> (never default, kube-* or another team\'s).', example: 'nb-team-a', default: 'nb-<team>' },
  stateModel: { description: 'session: one home per session; user: one home per owner, shared by their sessions.', example: 'user' },
  platformEndpoint: { description: 'URL of the platform, passed to notebooks as NOTEBOOK_PLATFORM_ENDPOINT.', example: 'https://notebooks.example.com', default: 'none' },

  storage: { description: 'Where homes and shares live: backend efs (created or adopted EFS), nfs (an existing export) or storageClass (any ReadWriteMany class).', example: { backend: 'storageClass', storageClassName: 'cephfs' } },
  'storage.backend': { description: 'efs, nfs or storageClass.', example: 'nfs' },
  'storage.fileSystemId': { description: 'efs: adopt this existing file system instead of creating one.', example: 'fs-0123456789abcdef0', default: 'the stack creates an encrypted, backed-up file system' },
  'storage.subnetIds': { description: 'efs: subnets for the mount targets, one per availability zone; required when the file system is created.', example: ['subnet-0a1b2c3d', 'subnet-1a1b2c3d'] },
  'storage.vpcId': { description: 'efs: VPC of the subnets; the NFS security group is created there.', example: 'vpc-0a1b2c3d', default: 'none (required when the file system is created)' },
  'storage.nodeSecurityGroupId': { description: "efs: security group of the cluster's nodes, the only source admitted on TCP 2049.", example: 'sg-0a1b2c3d', default: 'none (required when the file system is created)' },
  'storage.kmsKeyId': { description: 'efs: KMS key for encryption at rest: key id, key ARN, alias name or alias ARN.', example: 'alias/notebooks', default: 'the AWS-managed EFS key' },
  'storage.transitionToIaDays': { description: 'efs: days before unread files move to Infrequent Access (7, 14, 30, 60 or 90).', example: 60 },
  'storage.csiDriverAddon': { description: 'efs: install the EFS CSI driver as an EKS add-on with its IAM role.', example: { clusterName: 'research', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE', oidcProviderUrl: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE' }, default: 'off: the driver is installed by other means' },
  'storage.csiDriverAddon.clusterName': { description: 'The EKS cluster the add-on is installed in.', example: 'research' },
  'storage.csiDriverAddon.oidcProviderArn': { description: "ARN of the cluster's IAM OIDC provider (trusted by the driver's role).", example: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE' },
  'storage.csiDriverAddon.oidcProviderUrl': { description: "The cluster's OIDC issuer URL (https).", example: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE' },
  'storage.tags': { description: 'efs: tags on every AWS resource (AWS tag grammar; aws: keys are reserved).', example: { 'cost-center': 'research' } },
  'storage.server': { description: 'nfs: the NFS server, a host name or IPv4 address.', example: 'nfs.example.com' },
  'storage.path': { description: "nfs: the export path; the team's data lives under <path>/<namespace>/.", example: '/exports/notebooks' },
  'storage.homesSize': { description: "nfs: capacity recorded on the team's homes volume and claim (counted in quota.storage; NFS does not enforce it).", example: '500Gi' },
  'storage.storageClassName': { description: 'storageClass: an existing ReadWriteMany StorageClass (CephFS, Azure Files, Filestore, nfs-csi).', example: 'cephfs' },

  shares: { description: 'Datasets mounted at /shared-data/<name>, with an access level.', example: [{ name: 'reference-data', access: 'public', writers: ['alice'] }] },
  'shares[].name': { description: 'Share name (DNS label): the mount /shared-data/<name> and every object of the share.', example: 'reference-data' },
  'shares[].access': { description: 'public: every team may mount it read-only; team: read-write for the team; restricted: listed readers and writers only.', example: 'restricted' },
  'shares[].readers': { description: 'Owners who may read a restricted share.', example: ['bob'] },
  'shares[].writers': { description: 'Owners who may write a restricted or public share (team shares are writable by the whole team).', example: ['alice'] },
  'shares[].size': { description: "Capacity of the share's claim (a Kubernetes quantity).", example: '500Gi' },
  'shares[].accessPointId': { description: 'efs: adopt an existing access point (a public share owned by another team).', example: 'fsap-0a1b2c3d', default: 'the stack creates one access point per share' },
  'shares[].posixUid': { description: "POSIX owner (uid) of the share's root directory (EFS access point).", example: 1000 },
  'shares[].posixGid': { description: "POSIX group (gid) of the share's root directory (EFS access point).", example: 100 },

  sizes: { description: 'T-shirt sizes sessions choose from, by name.', example: { small: { cpu: '500m', memory: '2Gi' }, gpu: { cpu: '4', memory: '32Gi', gpu: 1 } } },
  'sizes.*.cpu': { description: 'CPU request (a Kubernetes quantity).', example: '500m' },
  'sizes.*.memory': { description: 'Memory request and limit (memory is never overcommitted).', example: '2Gi' },
  'sizes.*.cpuLimit': { description: 'CPU limit.', example: '2', default: 'twice the request' },
  'sizes.*.gpu': { description: 'NVIDIA GPUs (requests = limits).', example: 1 },
  'sizes.*.workdirSize': { description: 'Capacity of the home of a session of this size.', example: '20Gi' },
  'sizes.*.ephemeralStorage': { description: "Node disk outside the home (image layer, ~/.cache, /tmp, /code): the notebook container's ephemeral-storage request and limit.", example: '20Gi' },
  'sizes.*.nodeSelector': { description: "Node labels the session's pod must run on.", example: { 'node.kubernetes.io/instance-type': 'g5.xlarge' }, default: 'GPU sizes: nvidia.com/gpu.present: "true"; others: none' },
  'sizes.*.tolerations': { description: "Taints the session's pod tolerates (replaces the default).", example: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }], default: 'GPU sizes: nvidia.com/gpu Exists NoSchedule; others: none' },
  'sizes.*.tolerations[].key': { description: 'Taint key.', example: 'nvidia.com/gpu' },
  'sizes.*.tolerations[].operator': { description: 'Exists (any value) or Equal (the given value).', example: 'Equal' },
  'sizes.*.tolerations[].value': { description: 'Taint value (operator Equal).', example: 'true', default: 'none' },
  'sizes.*.tolerations[].effect': { description: 'NoSchedule, PreferNoSchedule or NoExecute.', example: 'NoSchedule', default: 'every effect' },

  environments: { description: 'Images sessions choose from, by name, pinned by tag or digest (never latest).', example: { scipy: { image: 'quay.io/jupyter/scipy-notebook:2025-12-01' } } },
  'environments.*.image': { description: 'Pinned image reference: registry/repo:tag (not latest) or registry/repo@sha256:<digest>.', example: 'quay.io/jupyter/scipy-notebook:2025-12-01' },
  'environments.*.description': { description: 'What the environment holds, for people choosing one.', example: 'Jupyter Docker Stacks scipy-notebook', default: 'none' },

  quota: { description: "The team namespace's ResourceQuota figures and session limits.", example: { cpu: '32', memory: '128Gi', maxSessionsPerUser: 3 } },
  'quota.cpu': { description: 'Total CPU requests of the namespace.', example: '32' },
  'quota.memory': { description: 'Total memory requests of the namespace.', example: '128Gi' },
  'quota.gpu': { description: 'Total GPUs of the namespace.', example: 4 },
  'quota.storage': { description: 'Total requested storage of the namespace\'s claims.', example: '2Ti' },
  'quota.ephemeralStorage': { description: "Node disk of the team's running pods (requests and limits of ephemeral-storage).", example: '400Gi' },
  'quota.persistentVolumeClaims': { description: 'Claims the namespace may hold.', example: 200 },
  'quota.pods': { description: 'Pods the namespace may run.', example: 80 },
  'quota.maxSessionsPerUser': { description: 'Sessions one owner may have in the config.', example: 3 },
  'quota.maxRunningSessions': { description: 'Sessions with running: true.', example: 10 },

  network: { description: 'Who may reach the sessions and where they may connect (everything else is denied).', example: { gitHosts: [{ cidr: '140.82.112.0/20', ports: [443, 22] }] } },
  'network.ingressFrom': { description: 'Pods that may reach the Jupyter port: the ingress controller or proxy.', example: [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }] },
  'network.ingressFrom[].namespaceLabels': { description: 'Labels of the namespace of the ingress controller or proxy.', example: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
  'network.ingressFrom[].podLabels': { description: 'Labels of its pods.', example: { 'app.kubernetes.io/name': 'ingress-nginx' } },
  'network.gitHosts': { description: 'Git servers sessions may clone from and push to: a CIDR, or in-cluster pods by labels.', example: [{ cidr: '140.82.112.0/20', ports: [443, 22] }] },
  'network.egress': { description: 'Other destinations sessions may reach: a CIDR, or in-cluster pods by labels.', example: [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'databases' }, podLabels: { app: 'postgres' }, ports: [5432] }] },
  'network.gitHosts[].cidr': { description: 'An address range outside the cluster (give either cidr or namespaceLabels).', example: '140.82.112.0/20', default: 'none' },
  'network.egress[].cidr': { description: 'An address range outside the cluster (give either cidr or namespaceLabels).', example: '10.20.0.0/16', default: 'none' },
  'network.gitHosts[].namespaceLabels': { description: 'Labels of the namespace of in-cluster destination pods (never the team\'s own namespace).', example: { 'kubernetes.io/metadata.name': 'git' }, default: 'none' },
  'network.egress[].namespaceLabels': { description: 'Labels of the namespace of in-cluster destination pods (never the team\'s own namespace).', example: { 'kubernetes.io/metadata.name': 'databases' }, default: 'none' },
  'network.gitHosts[].podLabels': { description: 'Labels of the destination pods in those namespaces.', example: { app: 'gitea' }, default: 'every pod of the namespaces' },
  'network.egress[].podLabels': { description: 'Labels of the destination pods in those namespaces.', example: { app: 'postgres' }, default: 'every pod of the namespaces' },
  'network.gitHosts[].ports': { description: 'TCP ports.', example: [443, 22] },
  'network.egress[].ports': { description: 'TCP ports.', example: [5432] },
  'network.allowInternet': { description: 'Allow the internet, minus private ranges and the metadata address.', example: true },
  'network.nodeLocalDns': { description: 'Address of a NodeLocal DNSCache when pods resolve through it.', example: '169.254.20.10', default: 'none: DNS goes to the cluster\'s kube-dns pods only' },
  'network.apiServer': { description: "Where pods reach the Kubernetes API server (the endpoint addresses after kube-proxy's rewrite): needed by the team's culler when any stop rule is on.", example: { cidrs: ['10.0.0.10/32'], port: 6443 }, default: 'none' },
  'network.apiServer.cidrs': { description: "Addresses of the API server's endpoints.", example: ['10.0.0.10/32'] },
  'network.apiServer.port': { description: 'TCP port of the endpoints.', example: 6443 },

  access: { description: "Who may see and change the team's sessions.", example: { viewerGroups: ['team-a'], adminGroups: ['platform-admins'] } },
  'access.viewerGroups': { description: "Groups that may view the team's sessions, logs and events (never a system: group).", example: ['team-a'] },
  'access.adminGroups': { description: 'Groups that may edit the namespace (platform admins; never a system: group).', example: ['platform-admins'] },
  'access.allowExec': { description: "Let each session's owner exec into and port-forward to their own sessions' pods; needs ownerSubject.", example: true },
  'access.ownerSubject': { description: 'The Kubernetes user a session\'s owner signs in as: a template with "{owner}".', example: 'oidc:{owner}', default: 'none: no per-owner access' },

  ingress: { description: 'Serve sessions at https://<host>/notebooks/<team>/<session>/ through an Ingress.', example: { host: 'notebooks.example.com', tlsSecretName: 'notebooks-tls' }, default: 'no Ingress' },
  'ingress.host': { description: 'Public host name.', example: 'notebooks.example.com' },
  'ingress.className': { description: 'IngressClass of the Ingresses.', example: 'nginx' },
  'ingress.tlsSecretName': { description: 'TLS certificate Secret in the team namespace.', example: 'notebooks-tls', default: 'none (TLS terminated elsewhere)' },
  'ingress.sso': { description: 'oauth2-proxy in front of every session, restricted to its owner.', example: { url: 'https://auth.example.com/oauth2', emailDomain: 'example.com' }, default: 'none: the session token only' },
  'ingress.sso.url': { description: 'oauth2-proxy base URL (https).', example: 'https://auth.example.com/oauth2' },
  'ingress.sso.emailDomain': { description: 'Owners sign in as <owner>@<emailDomain>.', example: 'example.com' },

  jupyter: { description: 'Jupyter server settings and when sessions are stopped to give their node back.', example: { cullIdleKernelsAfterSeconds: 1800, stopIdleSessionsAfterSeconds: 7200 } },
  'jupyter.cullIdleKernelsAfterSeconds': { description: `${SECONDS} before an idle kernel is culled; 0 never culls.`, example: 1800 },
  'jupyter.stopIdleSessionsAfterSeconds': { description: `${SECONDS} without activity before a session is stopped (scaled to zero, home kept); 0 never stops idle sessions.`, example: 7200 },
  'jupyter.maxLifetimeSeconds': { description: `${SECONDS} a session may run, whatever its activity; 0 sets no limit.`, example: 86400 },
  'jupyter.keepIdleGpuSessions': { description: 'Let GPU sessions run without any stop rule (the policy pack refuses them otherwise).', example: true },

  images: { description: 'Helper images besides the environments (mirror them for air-gapped clusters).', example: { gitSync: 'registry.example.com/git-sync/git-sync:v4.7.1' } },
  'images.gitSync': { description: 'git-sync v4, which brings ephemeral code to /code; pinned by tag or digest.', example: 'registry.example.com/git-sync/git-sync:v4.7.1' },

  sessions: { description: 'The notebook sessions: adding an entry adds a session, removing it stops and removes it (its home is kept unless purged).', example: [{ name: 'analysis', owner: 'alice', size: 'small', environment: 'scipy' }] },
  'sessions[].name': { description: 'Session name (DNS label, stable): keys every object and directory of the session.', example: 'analysis' },
  'sessions[].owner': { description: 'The person the session belongs to (a user name in DNS-label form).', example: 'alice' },
  'sessions[].size': { description: "One of the team's sizes.", example: 'small' },
  'sessions[].environment': { description: "One of the team's environments.", example: 'scipy' },
  'sessions[].shares': { description: 'Shares to mount at /shared-data/<share>.', example: ['reference-data'], default: 'every share the owner is entitled to' },
  'sessions[].running': { description: 'false scales the session to zero and keeps everything else.', example: false },
  'sessions[].forkFrom': { description: "Start as a copy of this session's home (copied once).", example: 'analysis', default: 'none: an empty home' },
  'sessions[].forkableBy': { description: "Owners, besides this session's own, whose sessions may fork it (a fork copies the whole home).", example: ['bob'] },
  'sessions[].code': { description: 'A git repository brought into the session.', example: { repo: 'https://github.com/example/analysis.git', ref: 'main' }, default: 'none' },
  'sessions[].code.repo': { description: 'https://host/path or ssh (git@host:path); no credentials in the URL.', example: 'https://github.com/example/analysis.git' },
  'sessions[].code.ref': { description: 'Branch, tag or commit.', example: 'main' },
  'sessions[].code.mode': { description: 'ephemeral: a fresh clone into /code at each start; persistent: cloned once into ~/code, local edits kept.', example: 'persistent' },
  'sessions[].code.depth': { description: 'Clone depth; 0 is the full history.', example: 0 },
  'sessions[].code.credentials': { description: 'A Secret in the team namespace holding the git credential.', example: { secretName: 'analysis-deploy-key', type: 'ssh' }, default: 'none: a public repository' },
  'sessions[].code.credentials.secretName': { description: 'Name of the Secret.', example: 'analysis-deploy-key' },
  'sessions[].code.credentials.type': { description: 'ssh: keys ssh-privatekey and known_hosts; token: key token (https).', example: 'ssh' },
  'sessions[].code.credentials.username': { description: 'https user name sent with the token (type token).', example: 'oauth2', default: 'git' },
  'sessions[].code.credentials.caCertificate': { description: "The Secret also holds ca.crt, the CA of a private git server, which git trusts for this repository.", example: true },
  'sessions[].autosave': { description: 'Commit and push the work directory on change (needs code).', example: { branch: 'autosave/analysis', debounceSeconds: 60 }, default: 'off' },
  'sessions[].autosave.branch': { description: 'Branch pushed to (never force-pushed).', example: 'autosave/analysis', default: 'autosave/<session>' },
  'sessions[].autosave.debounceSeconds': { description: 'Quiet period after the last change before committing.', example: 60 },
  'sessions[].autosave.maxFileSizeMb': { description: 'Files larger than this are never committed.', example: 20 },
  'sessions[].jupyter': { description: "Per-session overrides of the team's jupyter stop rules.", example: { stopIdleSessionsAfterSeconds: 0 }, default: "the team's rules" },
  'sessions[].jupyter.stopIdleSessionsAfterSeconds': { description: 'Overrides jupyter.stopIdleSessionsAfterSeconds; 0 never stops this session as idle.', example: 0, default: "the team's value" },
  'sessions[].jupyter.maxLifetimeSeconds': { description: 'Overrides jupyter.maxLifetimeSeconds; 0 sets no limit.', example: 43200, default: "the team's value" },
  'sessions[].schedule': { description: 'Stop the session at a time of day (it stays stopped until started again).', example: { stopAt: '20:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timeZone: 'Europe/Berlin' }, default: 'none' },
  'sessions[].schedule.stopAt': { description: 'Local time of day (24-hour HH:MM) at which the session is stopped.', example: '20:00' },
  'sessions[].schedule.days': { description: 'Days the stop applies: mon, tue, wed, thu, fri, sat, sun.', example: ['mon', 'tue', 'wed', 'thu', 'fri'], default: 'every day' },
  'sessions[].schedule.timeZone': { description: 'IANA time zone of stopAt.', example: 'Europe/Berlin' },
  'sessions[].purge': { description: "Delete the session's claim and data when it leaves the config (set with running: false, then remove the entry).", example: true },
  'sessions[].renamedFrom': { description: "The session's first name after a rename: the session keeps that name's home and stays the same Pulumi resource.", example: 'analysis', default: 'none' },
  'sessions[].restoreFrom': { description: "storageClass only: the session's new home claim starts from this VolumeSnapshot of the team namespace; the snapshot stays. An existing claim is never replaced: a restoreFrom it did not start from is refused.", example: 'workdir-analysis-20261130-0300', default: 'none: an empty home' },

  backup: { description: "Scheduled backups of the team's data (efs: AWS Backup; storageClass: CSI VolumeSnapshots).", example: { schedule: '0 3 * * *', retentionDays: 35 }, default: 'none' },
  'backup.schedule': { description: 'When backups run: five-field cron in UTC, a single minute, a day of the month or of the week (not both).', example: '30 2 * * *' },
  'backup.retentionDays': { description: 'Days each backup is kept.', example: 90 },
  'backup.copyToRegion': { description: 'efs: also copy every recovery point to a vault in this region.', example: 'eu-central-1', default: 'none' },
  'backup.volumeSnapshotClassName': { description: "storageClass: the VolumeSnapshotClass of the StorageClass's CSI driver (required there).", example: 'csi-cephfs-snapclass', default: 'none' },
  usage: { description: 'Measure the used bytes of every home and share on a schedule (notebook-platform usage).', example: { schedule: '17 * * * *' }, default: 'none' },
  'usage.schedule': { description: 'When the measuring Job runs: five-field cron in UTC.', example: '17 */6 * * *' },
  helpers: { description: "Where the team's helper pods run: the culler, the backup snapshot Job and the usage Job (the notebooks follow their size's placement).", example: { nodeSelector: { 'kubernetes.io/arch': 'amd64' } }, default: 'wherever the scheduler puts them' },
  'helpers.nodeSelector': { description: 'Node labels the helper pods must run on.', example: { 'kubernetes.io/arch': 'amd64' }, default: 'none' },
  'helpers.tolerations': { description: 'Taints the helper pods tolerate.', example: [{ key: 'dedicated', operator: 'Equal', value: 'notebooks', effect: 'NoSchedule' }], default: 'none' },
  'helpers.tolerations[].key': { description: 'Taint key.', example: 'dedicated' },
  'helpers.tolerations[].operator': { description: 'Exists (any value) or Equal (the given value).', example: 'Equal' },
  'helpers.tolerations[].value': { description: 'Taint value (operator Equal).', example: 'notebooks', default: 'none' },
  'helpers.tolerations[].effect': { description: 'NoSchedule, PreferNoSchedule or NoExecute.', example: 'NoSchedule', default: 'every effect' },
};

/** The fields of an object schema, by path, for every object reachable from `schema`. */
export function schemaFields(schema: z.ZodType): Map<string, z.ZodType[]> {
  const fields = new Map<string, z.ZodType[]>();
  const walk = (node: z.ZodType, path: string): void => {
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
        return walk(def.innerType as z.ZodType, path);
      case 'pipe':
        return walk(def.in as z.ZodType, path);
      case 'array':
        return walk(def.element as z.ZodType, `${path}[]`);
      case 'record':
        return walk(def.valueType as z.ZodType, `${path}.*`);
      case 'union':
        for (const option of def.options as z.ZodType[]) walk(option, path);
        return;
      case 'object':
        for (const [key, field] of Object.entries(def.shape as Record<string, z.ZodType>)) {
          const fieldPath = path ? `${path}.${key}` : key;
          fields.set(fieldPath, [...(fields.get(fieldPath) ?? []), field]);
          walk(field, fieldPath);
        }
        return;
    }
  };
  walk(schema, '');
  return fields;
}

/** Whether the field may be left out. */
export function isOptional(field: z.ZodType): boolean {
  return field.safeParse(undefined).success;
}

type JsonNode = Record<string, unknown>;

/** The text an editor shows for a field: its description, then its default or "Required." */
function describe(doc: FieldDoc, node: JsonNode, required: boolean): string {
  if ('default' in node) {
    const text = JSON.stringify(node.default);
    return `${doc.description} Default: ${text.length <= 80 ? text : 'the value in "default"'}.`;
  }
  return required ? `${doc.description} Required.` : `${doc.description} Default: ${doc.default ?? 'none'}.`;
}

/**
 * Writes `description` and `examples` into the JSON Schema of a stack config's values (zod's
 * output, before the keys get their namespace), for every field FIELD_DOCS has. Applied to the
 * JSON rather than to the zod schema: the zod schema reuses one instance for fields in several
 * places (`network.gitHosts[]` and `network.egress[]` are one rule schema), and each place has
 * its own text.
 */
export function documentJsonSchema(root: JsonNode): JsonNode {
  const copy = JSON.parse(JSON.stringify(root)) as JsonNode;
  const visit = (node: JsonNode, path: string): void => {
    const properties = node.properties as Record<string, JsonNode> | undefined;
    const required = new Set((node.required as string[] | undefined) ?? []);
    for (const [key, child] of Object.entries(properties ?? {})) {
      const childPath = path ? `${path}.${key}` : key;
      const doc = FIELD_DOCS[childPath];
      if (doc) {
        child.description = describe(doc, child, required.has(key));
        child.examples = [doc.example];
      }
      visit(child, childPath);
    }
    if (node.items && typeof node.items === 'object') visit(node.items as JsonNode, `${path}[]`);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') visit(node.additionalProperties as JsonNode, `${path}.*`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) for (const option of (node[key] as JsonNode[] | undefined) ?? []) visit(option, path);
  };
  visit(copy, '');
  return copy;
}

/**
 * What is missing from FIELD_DOCS for `schema`: a field without an entry, an entry without a
 * description or example, an example the field refuses, an optional field without a default
 * that does not say what leaving it out means. Empty when every field is documented.
 */
export function fieldDocProblems(schema: z.ZodType, docs: Readonly<Record<string, FieldDoc>> = FIELD_DOCS): string[] {
  const problems: string[] = [];
  for (const [path, fields] of schemaFields(schema)) {
    const doc = docs[path];
    if (!doc) {
      problems.push(`${path}: no description (add it to FIELD_DOCS in components/config/field-docs.ts)`);
      continue;
    }
    if (!doc.description.trim()) problems.push(`${path}: empty description`);
    if (doc.example === undefined) problems.push(`${path}: no example`);
    else if (!fields.some((field) => field.safeParse(doc.example).success)) problems.push(`${path}: the example ${JSON.stringify(doc.example)} is not a valid value`);
    const unsaid = fields.some((field) => isOptional(field) && field.parse(undefined) === undefined);
    if (unsaid && doc.default === undefined) problems.push(`${path}: optional without a default value: say what leaving it out means (default)`);
  }
  return problems;
}
