/**
 * The team stack config: one zod schema for every `notebook-platform:*` key of a
 * `Pulumi.<team>.yaml`. The JSON Schema in schema/stack-config.schema.json is generated from it.
 * Checks that need more than one field (a session's size exists, quotas add up) live in
 * cross-checks.ts; this file only says what each field may hold and what it defaults to.
 */
import { z } from 'zod';
import { scheduleSchema, sessionJupyterSchema, teamCullingFields } from './culling-schema';
import { isQuantity } from './quantity';
import { isCleanAbsolutePath, isDnsSubdomain, isGitRefName, isHostName, isImageReference, isIpv4Address, isIpv4Cidr, isLabelKey, isLabelValue, isPlainUrl } from './grammars';
import { backupSchema, usageSchema } from './lifecycle-schema';
import { ACCESS_LEVELS } from '../../shared/access';
import { DEFAULT_SESSION_LIMITS } from '../../shared/session-limits';

/** The upstream git-sync image the platform pins. */
export const GIT_SYNC_IMAGE = 'registry.k8s.io/git-sync/git-sync:v4.7.1';

/** The Pulumi config namespace of every key (`notebook-platform:team`). */
export const CONFIG_NAMESPACE = 'notebook-platform';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (what: string, max: number) =>
  z
    .string()
    .max(max, { message: `must be at most ${max} characters (it is part of Kubernetes names)` })
    .regex(DNS_LABEL, {
      message: `must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit (${what})`,
    });

const quantity = (example: string) =>
  z.string().refine(isQuantity, { message: `must be a Kubernetes quantity such as "${example}"` });

const cidr = z.string().refine(isIpv4Cidr, {
  message: 'must be an IPv4 CIDR such as "10.0.0.0/16" (a single address is "x.x.x.x/32"; octets 0-255 without leading zeros, prefix 0-32)',
});
const ipv4Address = z.string().refine(isIpv4Address, { message: 'must be an IPv4 address such as "169.254.20.10" (octets 0-255 without leading zeros)' });
const port = z.number().int().min(1).max(65535);
const LABEL_KEY_MESSAGE = 'is not a Kubernetes label key: [prefix/]name, the name at most 63 letters, digits, "-", "_" and "." starting and ending with a letter or digit, the prefix a DNS subdomain';
const labelKey = z.string().min(1).refine(isLabelKey, { message: LABEL_KEY_MESSAGE });
/** Kubernetes labels and selectors: keys and values in the label grammar. */
const labelValue = z.string().refine(isLabelValue, { message: 'must be a Kubernetes label value: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or empty)' });
const labels = z.record(labelKey, labelValue);
const subdomain = (what: string) =>
  z.string().min(1).refine(isDnsSubdomain, {
    message: `must be a DNS subdomain (${what}): lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, at most 253 characters`,
  });
const image = z.string().min(1).refine(isImageReference, {
  message: 'must be an image reference [registry[:port]/]path[:tag][@sha256:<64 lowercase hex digits>] (distribution spec; the path lowercase)',
});
const GIT_REF_MESSAGE =
  'must be a git ref name (git check-ref-format): no "..", "@{", "//", control characters, spaces or any of ~^:?*[\\; no part starting with "." or ending in ".lock"; not starting with "-" or "/", not ending with "/" or "."';
const gitRef = z.string().min(1).refine(isGitRefName, { message: GIT_REF_MESSAGE });

const KMS_KEY_ID = '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})';
const KMS_ALIAS = 'alias/[A-Za-z0-9/_-]{1,250}';
/** A KMS key as the EFS API takes it: key id, key ARN, alias name or alias ARN. */
const KMS_KEY = new RegExp(`^(?:${KMS_KEY_ID}|${KMS_ALIAS}|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(?:key/${KMS_KEY_ID}|${KMS_ALIAS}))$`);

/** AWS tags (the EC2 and EFS APIs' grammar): `aws:` keys are reserved for AWS. */
const AWS_TAG_CHARACTERS = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]';
const awsTags = z.record(
  z.string().regex(new RegExp(`^(?!aws:)${AWS_TAG_CHARACTERS}{1,128}$`, 'u'), { message: 'is not an AWS tag key: 1-128 letters, digits, spaces and _.:/=+-@, not starting with "aws:"' }),
  z.string().regex(new RegExp(`^${AWS_TAG_CHARACTERS}{0,256}$`, 'u'), { message: 'must be an AWS tag value: at most 256 letters, digits, spaces and _.:/=+-@' }),
);

/** Where notebook data lives. */
const efsStorage = z.strictObject({
  backend: z.literal('efs'),
  /** Adopt this existing file system instead of creating one. */
  fileSystemId: z.string().regex(/^fs-[0-9a-f]{8,17}$/, { message: 'must be an EFS id such as "fs-0123456789abcdef0"' }).optional(),
  /** Subnets for the mount targets (one per availability zone). Required when the file system is created. */
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { message: 'must be a subnet id such as "subnet-0abc"' })).default([]),
  /** VPC of the subnets; the NFS security group is created there. */
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { message: 'must be a VPC id such as "vpc-0abc"' }).optional(),
  /** Security group of the cluster's nodes: the only source admitted on TCP 2049. */
  nodeSecurityGroupId: z.string().regex(/^sg-[0-9a-f]+$/, { message: 'must be a security group id such as "sg-0abc"' }).optional(),
  /** KMS key for encryption at rest: key id, key ARN, alias name or alias ARN. @default the AWS-managed EFS key */
  kmsKeyId: z.string().regex(KMS_KEY, { message: 'must be a KMS key id, key ARN, alias name (alias/...) or alias ARN, such as "alias/notebooks"' }).optional(),
  /** Days before files move to Infrequent Access. @default 30 */
  transitionToIaDays: z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(60), z.literal(90)]).default(30),
  /** Install the EFS CSI driver as an EKS add-on with its IAM role. @default off */
  csiDriverAddon: z
    .strictObject({
      clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, { message: 'must be an EKS cluster name: a letter or digit, then up to 99 letters, digits, "-" and "_"' }),
      oidcProviderArn: z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._~-]+)*$/, {
        message: 'must be an IAM OIDC provider ARN such as "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"',
      }),
      // Its host and path become condition keys of the driver role's trust policy.
      oidcProviderUrl: z.string().refine((value) => isPlainUrl(value, ['https']), {
        message: 'must be the cluster\'s OIDC issuer, an https URL such as "https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" (letters, digits and -._~%/ in the path)',
      }),
    })
    .optional(),
  /** Tags on every AWS resource. */
  tags: awsTags.default({}),
});
const nfsStorage = z.strictObject({
  backend: z.literal('nfs'),
  /** NFS server host name or address. */
  server: z
    .string()
    .min(1)
    .refine((value) => isHostName(value) || isIpv4Address(value), {
      message: 'must be a host name such as "nfs.example.com" or an IPv4 address such as "10.0.0.5" (no leading zeros)',
    }),
  /** Export path; the team's data lives under `<path>/<namespace>/`. */
  path: z.string().refine(isCleanAbsolutePath, { message: 'must be an absolute path such as "/exports/notebooks" without "." or ".." parts, empty parts or spaces' }),
  /**
   * Capacity recorded on the team's homes volume and claim (counted in quota.storage; NFS itself
   * does not enforce it). Fixed rather than derived from the sessions: a bound static claim
   * cannot be resized, so adding a session would fail. @default "200Gi"
   */
  homesSize: quantity('200Gi').default('200Gi'),
});
const storageClassStorage = z.strictObject({
  backend: z.literal('storageClass'),
  /** An existing ReadWriteMany StorageClass (CephFS, Azure Files, Filestore, nfs-csi). */
  storageClassName: dnsLabel('a StorageClass name', 253),
});
export const storageSchema = z
  .discriminatedUnion('backend', [efsStorage, nfsStorage, storageClassStorage])
  .describe('Storage backend for workdirs and shares: efs, nfs or storageClass.');

export { ACCESS_LEVELS };
export const shareSchema = z.strictObject({
  /** Mounted at /shared-data/<name>; keys every object and directory of the share. */
  name: dnsLabel('a share name', 40),
  /** public: every team may mount it read-only; team: read-write for the team; restricted: listed owners only. */
  access: z.enum(ACCESS_LEVELS),
  /** Owners who may read (restricted shares). */
  readers: z.array(dnsLabel('a user name', 40)).default([]),
  /** Owners who may write (restricted and public shares; team shares are writable by all). */
  writers: z.array(dnsLabel('a user name', 40)).default([]),
  /** Capacity of the claim. @default "100Gi" */
  size: quantity('100Gi').default('100Gi'),
  /** Adopt an existing EFS access point (a public share owned by another team). */
  accessPointId: z.string().regex(/^fsap-[0-9a-f]+$/, { message: 'must be an access point id such as "fsap-0abc"' }).optional(),
  /** POSIX owner of the share's root directory (EFS access point). @default 1000:100 */
  posixUid: z.number().int().min(0).default(1000),
  posixGid: z.number().int().min(0).default(100),
});

export const tolerationSchema = z
  .strictObject({
    /** Taint key, e.g. "nvidia.com/gpu". */
    key: labelKey,
    /** @default "Exists" */
    operator: z.enum(['Exists', 'Equal']).default('Exists'),
    /** Taint value (operator Equal), a label value. */
    value: labelValue.optional(),
    /** @default every effect */
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  })
  // The API server refuses a value with Exists (it matches any value) when the pod is created.
  .refine((toleration) => toleration.operator !== 'Exists' || toleration.value === undefined, {
    message: 'has a value with operator "Exists", which matches any value: remove the value, or write operator: Equal',
  });

export const sizeSchema = z.strictObject({
  /** CPU request. */
  cpu: quantity('500m'),
  /** Memory request and limit (memory is never overcommitted). */
  memory: quantity('2Gi'),
  /** CPU limit. @default twice the request */
  cpuLimit: quantity('1').optional(),
  /** NVIDIA GPUs (requests = limits). @default 0 */
  gpu: z.number().int().min(0).max(16).default(0),
  /** Workdir capacity for sessions of this size. @default "10Gi" */
  workdirSize: quantity('10Gi').default('10Gi'),
  /**
   * Node disk outside the home: the notebook's writable image layer (`pip install` into the
   * environment), ~/.cache, /tmp and /code together. The notebook container's ephemeral-storage
   * request and limit (disk is never overcommitted) and the size limit of each of those
   * directories; past it the kubelet evicts the session's pod instead of filling the node.
   * @default "10Gi"
   */
  ephemeralStorage: quantity('10Gi').default('10Gi'),
  /** Node labels the session's pod must run on. @default GPU sizes: `nvidia.com/gpu.present: "true"`; others: none */
  nodeSelector: labels.optional(),
  /** Taints the session's pod tolerates (replaces the default). @default GPU sizes: `nvidia.com/gpu` Exists NoSchedule; others: none */
  tolerations: z.array(tolerationSchema).optional(),
});

/**
 * Where the team's helper pods run: the culler, the backup snapshot Job and the usage Job. On a
 * cluster whose default nodes cannot run them (another architecture than the team's image, or
 * every node tainted) they need the same placement as the notebooks.
 */
export const helpersSchema = z.strictObject({
  /** Node labels the helper pods must run on. @default none */
  nodeSelector: labels.optional(),
  /** Taints the helper pods tolerate. @default none */
  tolerations: z.array(tolerationSchema).optional(),
});

export const environmentSchema = z.strictObject({
  /** Pinned image: `registry/repo:tag` (not latest) or `registry/repo@sha256:...`. */
  image,
  description: z.string().optional(),
});

const gitCredentials = z.strictObject({
  /** Name of a Secret in the team namespace holding the credential. */
  secretName: dnsLabel('a Secret name', 253),
  /** ssh: keys `ssh-privatekey` and `known_hosts`; token: key `token` (https). */
  type: z.enum(['ssh', 'token']),
  /** https user name sent with the token (type token). @default "git" */
  username: z.string().regex(/^[A-Za-z0-9._@-]+$/, { message: 'must be a user name of letters, digits, ".", "_", "@" and "-"' }).optional(),
  /**
   * The Secret also holds `ca.crt`, the CA that signed the git server's certificate (a private
   * git server, type token): git trusts it for this repository besides the image's CAs.
   * @default false
   */
  caCertificate: z.boolean().default(false),
});

export const codeSchema = z.strictObject({
  /** https://host/path or ssh (git@host:path, ssh://host/path). No credentials in the URL. */
  repo: z.string().min(1),
  /** Branch, tag or commit. @default "HEAD" */
  ref: gitRef.default('HEAD'),
  /** ephemeral: fresh clone into /code each start; persistent: cloned once into the home. @default "ephemeral" */
  mode: z.enum(['ephemeral', 'persistent']).default('ephemeral'),
  /** Clone depth; 0 is full history. @default 1 */
  depth: z.number().int().min(0).default(1),
  credentials: gitCredentials.optional(),
});

export const autosaveSchema = z.strictObject({
  /** Branch pushed to. @default "autosave/<session>" */
  branch: z.string().regex(/^[A-Za-z0-9._/-]+$/, { message: 'must be a git branch name of letters, digits and ._/-' }).refine(isGitRefName, { message: GIT_REF_MESSAGE }).optional(),
  /** Quiet period after the last change before committing. @default 30 */
  debounceSeconds: z.number().int().min(1).max(3600).default(30),
  /** Files larger than this are never committed. @default 10 */
  maxFileSizeMb: z.number().int().min(1).max(1024).default(10),
});

export const sessionSchema = z.strictObject({
  /** Stable DNS label: keys every object and directory of the session (renaming is a new session). */
  name: dnsLabel('a session name', 40),
  /** The person the session belongs to (a user name, DNS-label form). */
  owner: dnsLabel('a user name', 40),
  /** One of the team's sizes. */
  size: z.string().min(1),
  /** One of the team's environments. */
  environment: z.string().min(1),
  /** Shares to mount. @default every share the owner is entitled to */
  shares: z.array(z.string()).optional(),
  /** false scales the session to zero and keeps everything else. @default true */
  running: z.boolean().default(true),
  /**
   * Start as a copy of this session's home (copied once). Another owner's session only if it
   * lists this session's owner in `forkableBy`.
   */
  forkFrom: z.string().optional(),
  /**
   * Owners, besides this session's own, whose sessions may fork this one. A fork copies the whole
   * home: work, personal credentials and whatever was copied from restricted shares (a forking
   * owner must also be entitled to every restricted share this session mounts).
   * @default none: only the owner's own sessions may fork it
   */
  forkableBy: z.array(dnsLabel('a user name', 40)).default([]),
  code: codeSchema.optional(),
  /** Commit and push the work directory on change (needs `code`). */
  autosave: autosaveSchema.optional(),
  /** Per-session overrides of the team's `jupyter` stop rules. */
  jupyter: sessionJupyterSchema.optional(),
  /** Stop the session at a time of day (it stays stopped until started again). @default none */
  schedule: scheduleSchema.optional(),
  /** Delete the session's claim and data when it leaves the config, or now if `running` is false. @default false */
  purge: z.boolean().default(false),
  /**
   * The session's first name, after a rename: the session keeps that name's home (claim
   * `workdir-<renamedFrom>`, or the directory `sessions/<renamedFrom>` on nfs) and Pulumi treats
   * it as the same session. Keep it for as long as the session exists; after renaming twice it
   * still names the first name. @default none
   */
  renamedFrom: dnsLabel('a session name', 40).optional(),
  /**
   * storageClass only: the session's new home claim starts from this VolumeSnapshot in the team
   * namespace (for example one the team's backup job took, `workdir-<session>-<YYYYMMDD-HHMM>`).
   * The snapshot stays. A claim that already exists is never replaced: the stack refuses a
   * restoreFrom the existing claim did not start from. @default none: an empty home
   */
  restoreFrom: z
    .string()
    .refine(isDnsSubdomain, { message: 'must be a VolumeSnapshot name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 characters (RFC 1123)' })
    .optional(),
});

export const quotaSchema = z.strictObject({
  cpu: quantity('16').default('16'),
  memory: quantity('64Gi').default('64Gi'),
  gpu: z.number().int().min(0).default(0),
  storage: quantity('1Ti').default('1Ti'),
  /** Node disk of the team's running pods (requests.ephemeral-storage and limits.ephemeral-storage). @default "200Gi" */
  ephemeralStorage: quantity('200Gi').default('200Gi'),
  persistentVolumeClaims: z.number().int().min(1).default(100),
  pods: z.number().int().min(1).default(50),
  /** Sessions one owner may have in the config. @default 5 */
  maxSessionsPerUser: z.number().int().min(1).default(DEFAULT_SESSION_LIMITS.maxSessionsPerUser),
  /** Sessions with running: true. @default 20 */
  maxRunningSessions: z.number().int().min(0).default(DEFAULT_SESSION_LIMITS.maxRunningSessions),
});

const peerSchema = z.strictObject({
  /** Labels of the namespace of the ingress controller or proxy. */
  namespaceLabels: labels,
  /** Labels of its pods. */
  podLabels: labels,
});
/**
 * A destination sessions may reach on its TCP ports: an address range (`cidr`), or in-cluster
 * pods named by their namespace's labels and their own labels (`namespaceLabels`, optional
 * `podLabels`). Exactly one of the two. Pods must be named by labels: NetworkPolicies are
 * evaluated after kube-proxy rewrites a Service address to its pod, so a CIDR naming the Service
 * range never admits traffic to a Service.
 */
const egressRule = z.strictObject({
  /** Address range outside the cluster, e.g. a git host's. */
  cidr: cidr.optional(),
  /** Labels of the namespace of in-cluster destination pods (never the team's own namespace). */
  namespaceLabels: labels.optional(),
  /** Labels of the destination pods in those namespaces. @default every pod of the namespaces */
  podLabels: labels.optional(),
  /** TCP ports. */
  ports: z.array(port).min(1),
});

export const networkSchema = z.strictObject({
  /** Who may reach the Jupyter port. @default ingress-nginx pods in the ingress-nginx namespace */
  ingressFrom: z
    .array(peerSchema)
    .default([{ namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } }]),
  /** Git servers sessions may clone from and push to (a CIDR, or in-cluster pods by labels). */
  gitHosts: z.array(egressRule).default([]),
  /** Other destinations sessions may reach. */
  egress: z.array(egressRule).default([]),
  /** Allow the internet minus private ranges and the metadata address. @default false */
  allowInternet: z.boolean().default(false),
  /**
   * The address of a node-local DNS cache (NodeLocal DNSCache, usually 169.254.20.10) when the
   * cluster's pods resolve through it: sessions may then also send DNS (port 53, UDP and TCP)
   * there. @default none: DNS goes to the cluster's kube-dns pods only
   */
  nodeLocalDns: ipv4Address.optional(),
  /**
   * Where pods reach the Kubernetes API server: needed by the team's culler (the only pod of the
   * team that talks to it) when any stop rule is on. NetworkPolicies see the endpoint address
   * and port after kube-proxy's rewrite of the `kubernetes` Service, so name those.
   */
  apiServer: z
    .strictObject({
      /** Address ranges of the API server's endpoints, e.g. the EKS cluster's VPC subnets. */
      cidrs: z.array(cidr).min(1),
      /** TCP port of the endpoints. @default 443 */
      port: port.default(443),
    })
    .optional(),
});

/** A user-name template: "{owner}" once, surrounded by user-name characters, never a `system:` identity. */
const OWNER_SUBJECT = /^(?![Ss][Yy][Ss][Tt][Ee][Mm]:)[A-Za-z0-9:@._-]{0,100}\{owner\}[A-Za-z0-9:@._-]{0,100}$/;

export const accessSchema = z.strictObject({
  /** Groups that may view the team's sessions, logs and events. */
  viewerGroups: z.array(z.string().min(1)).default([]),
  /** Groups that may edit the namespace (platform admins). */
  adminGroups: z.array(z.string().min(1)).default(['platform-admins']),
  /**
   * Let each session's owner exec into and port-forward to their own sessions' pods (never other
   * owners'; viewers who are not the owner never exec). Needs `ownerSubject`. @default false
   */
  allowExec: z.boolean().default(false),
  /**
   * The Kubernetes user a session's owner signs in as: a template with "{owner}", e.g.
   * "oidc:{owner}" or "{owner}@example.com" (whatever your authenticator puts in the user name).
   * With it, each owner may start and stop their own sessions (and exec into them when
   * `allowExec`), through a Role limited to their sessions by name. @default none: no per-owner access
   */
  ownerSubject: z
    .string()
    .regex(OWNER_SUBJECT, { message: 'must be a user-name template with "{owner}" once, such as "oidc:{owner}" or "{owner}@example.com": letters, digits and ":@._-" around it, not a "system:" name' })
    .optional(),
});

export const ingressSchema = z.strictObject({
  /** Public host; sessions are at https://<host>/notebooks/<team>/<session>/. */
  host: subdomain('a host name such as "notebooks.example.com"'),
  className: subdomain('an IngressClass name').default('nginx'),
  /** TLS certificate Secret in the team namespace. */
  tlsSecretName: subdomain('a Secret name').optional(),
  /** oauth2-proxy in front of every session, restricted to its owner. */
  sso: z
    .strictObject({
      /** oauth2-proxy base URL, e.g. https://auth.example.com/oauth2 */
      url: z.string().refine((value) => isPlainUrl(value, ['https']), {
        message: 'must be an https URL such as "https://auth.example.com/oauth2": a host name, an optional port and a path of letters, digits and -._~%/ (no quotes, spaces, "$", ";" or credentials)',
      }),
      /** Owners sign in as <owner>@<emailDomain>. */
      emailDomain: subdomain('an email domain such as "example.com"'),
    })
    .optional(),
});

export const jupyterSchema = z.strictObject({
  /** Seconds before an idle kernel is culled. @default 3600 */
  cullIdleKernelsAfterSeconds: z.number().int().min(0).default(3600),
  ...teamCullingFields,
});

/** Every `notebook-platform:*` key; unknown keys are errors. */
/** Helper images the platform runs besides the environments' images (mirror them for air-gapped clusters). */
export const imagesSchema = z.strictObject({
  /** git-sync v4, which brings ephemeral code to /code. Pinned: a tag or a digest. @default "registry.k8s.io/git-sync/git-sync:v4.7.1" */
  gitSync: image.default(GIT_SYNC_IMAGE),
});

export const stackConfigSchema = z.strictObject({
  /** Team name (DNS label): keys the namespace and every team object. */
  team: dnsLabel('a team name', 30),
  /** @default "nb-<team>" */
  namespace: dnsLabel('a namespace name', 63).optional(),
  storage: storageSchema,
  /** session: one home per session (default); user: one home per owner shared by their sessions. */
  stateModel: z.enum(['session', 'user']).default('session'),
  shares: z.array(shareSchema).default([]),
  sizes: z.record(z.string().regex(DNS_LABEL, { message: 'is not a DNS label; size names are lowercase letters, digits and "-"' }), sizeSchema),
  environments: z.record(z.string().regex(DNS_LABEL, { message: 'is not a DNS label; environment names are lowercase letters, digits and "-"' }), environmentSchema),
  quota: quotaSchema.default(quotaSchema.parse({})),
  network: networkSchema.default(networkSchema.parse({})),
  access: accessSchema.default(accessSchema.parse({})),
  ingress: ingressSchema.optional(),
  jupyter: jupyterSchema.default(jupyterSchema.parse({})),
  images: imagesSchema.default(imagesSchema.parse({})),
  /** URL of the platform, passed to notebooks as NOTEBOOK_PLATFORM_ENDPOINT. */
  platformEndpoint: z
    .string()
    .refine((value) => isPlainUrl(value, ['https', 'http']), {
      message: 'must be an http(s) URL such as "https://notebooks.example.com": a host name, an optional port and a path of letters, digits and -._~%/ (no quotes, spaces, "$", ";" or credentials)',
    })
    .optional(),
  sessions: z.array(sessionSchema).default([]),
  /** Scheduled backups of the team's data (efs: AWS Backup; storageClass: CSI VolumeSnapshots). @default none */
  backup: backupSchema.optional(),
  /** Measure the used bytes of every home and share on a schedule (`notebook-platform usage`). @default none */
  usage: usageSchema.optional(),
  /** Where the team's helper pods (culler, snapshot and usage Jobs) run. @default wherever the scheduler puts them */
  helpers: helpersSchema.optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type SessionConfig = z.infer<typeof sessionSchema>;
export type ShareConfig = z.infer<typeof shareSchema>;
export type SizeConfig = z.infer<typeof sizeSchema>;
export type TolerationConfig = z.infer<typeof tolerationSchema>;
export type StorageConfig = z.infer<typeof storageSchema>;
export type EgressRule = z.infer<typeof egressRule>;
export type Peer = z.infer<typeof peerSchema>;
