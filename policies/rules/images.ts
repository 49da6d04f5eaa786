/**
 * Images: only from the registries the platform trusts (policy config), and pinned: a tag other
 * than `latest`, or a digest. A moving tag means a restart can change what a session runs.
 */
import type { PolicyConfigSchema } from '@pulumi/policy';
import { containersOf, describeContainer, type PodTemplate } from './kube';
import { configOf, workloadRule, type ResourceRule } from './policy';

export interface ImageReference {
  /** `docker.io`, `quay.io`, `registry.example.com:5000`. */
  readonly registry: string;
  /** `jupyter/scipy-notebook`, `library/busybox`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits an image reference the way container runtimes read it (Docker Hub defaults included). */
export function parseImage(reference: string): ImageReference {
  const [nameAndTag, digest] = reference.split('@', 2);
  const lastSlash = nameAndTag.lastIndexOf('/');
  const lastColon = nameAndTag.lastIndexOf(':');
  const tag = lastColon > lastSlash ? nameAndTag.slice(lastColon + 1) : undefined;
  const name = tag === undefined ? nameAndTag : nameAndTag.slice(0, lastColon);
  const parts = name.split('/');
  const explicitRegistry = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
  let registry = explicitRegistry ? parts[0] : 'docker.io';
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  let repository = explicitRegistry ? parts.slice(1).join('/') : name;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  const image: { registry: string; repository: string; tag?: string; digest?: string } = { registry, repository };
  if (tag) image.tag = tag;
  if (digest) image.digest = digest;
  return image;
}

/** Whether an image comes from an allowed registry entry: a host (`quay.io`) or a host and path prefix (`quay.io/jupyter`). */
export function fromAllowedRegistry(image: ImageReference, allowed: readonly string[]): boolean {
  const full = `${image.registry}/${image.repository}`;
  return allowed.some((entry) => {
    const prefix = entry.replace(/\/+$/, '');
    return full === prefix || full.startsWith(`${prefix}/`) || image.registry === prefix;
  });
}

export interface AllowedRegistriesConfig {
  /** Registry hosts or host/path prefixes images may come from. */
  readonly allowedRegistries: readonly string[];
}

/** The Jupyter Docker Stacks (quay.io and Docker Hub) and git-sync's registry path. */
export const DEFAULT_ALLOWED_REGISTRIES: readonly string[] = ['quay.io/jupyter', 'docker.io/jupyter', 'registry.k8s.io/git-sync'];

export const allowedRegistriesSchema: PolicyConfigSchema = {
  properties: {
    allowedRegistries: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Registry hosts (quay.io) or host/path prefixes (quay.io/jupyter) images may come from.',
      default: [...DEFAULT_ALLOWED_REGISTRIES],
    },
  },
};

export function checkAllowedRegistries(template: PodTemplate, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    if (!container.image) {
      problems.push(`${describeContainer(kind, container)} names no image`);
      continue;
    }
    const image = parseImage(container.image);
    if (!fromAllowedRegistry(image, allowed)) {
      problems.push(`${describeContainer(kind, container)} image ${container.image} is not from an allowed registry (${allowed.join(', ') || 'none configured'})`);
    }
  }
  return problems;
}

export function checkPinnedImages(template: PodTemplate): string[] {
  const problems: string[] = [];
  for (const { container, kind } of containersOf(template.spec)) {
    if (!container.image) continue; // allowed-image-registries reports it
    const image = parseImage(container.image);
    if (image.digest) continue;
    if (!image.tag) problems.push(`${describeContainer(kind, container)} image ${container.image} has no tag (it means :latest); pin a version tag or a digest`);
    else if (image.tag === 'latest') problems.push(`${describeContainer(kind, container)} image ${container.image} uses :latest; pin a version tag or a digest`);
  }
  return problems;
}

export function allowedRegistriesRule(): ResourceRule {
  return {
    ...workloadRule(
      {
        name: 'allowed-image-registries',
        description: 'Every container image comes from a registry the platform allows (policy config allowedRegistries).',
        enforcementLevel: 'mandatory',
        remediationSteps: 'Use an image from an allowed registry in the team\'s environments, or add the registry to allowedRegistries in the policy pack config after review.',
      },
      (template, _props, args) => checkAllowedRegistries(template, configOf<AllowedRegistriesConfig>(args, { allowedRegistries: DEFAULT_ALLOWED_REGISTRIES }).allowedRegistries),
    ),
    configSchema: allowedRegistriesSchema,
  };
}

export function pinnedImagesRule(): ResourceRule {
  return workloadRule(
    {
      name: 'pinned-images',
      description: 'Every container image is pinned: a version tag other than latest, or a digest.',
      enforcementLevel: 'mandatory',
      remediationSteps: 'Give the image a version tag (quay.io/jupyter/scipy-notebook:2025-12-01) or a digest (@sha256:...) in the team\'s environments.',
    },
    checkPinnedImages,
  );
}
