/**
 * How a rule is put together: its identity (kebab-case name, one-line description, enforcement
 * level, remediation) and a validation that reports through the runtime's `reportViolation`.
 * Rules export the factory (a Policy object the pack lists) and their raw checks (plain functions
 * of plain values), so tests and `notebook-platform check` never start a pack.
 */
import type {
  EnforcementLevel, ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from '@pulumi/policy';
import { describe, podTemplateOf, type KubeProps, type PodTemplate } from './kube';

export interface RuleInfo {
  /** kebab-case, unique in the pack. */
  readonly name: string;
  /** One line: what the rule requires. */
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  /** What to change when the rule fails. */
  readonly remediationSteps: string;
}

export type ResourceRule = ResourceValidationPolicy & RuleInfo & { readonly validateResource: ResourceValidation };
export type StackRule = StackValidationPolicy & RuleInfo;
export type Rule = ResourceRule | StackRule;

/**
 * A rule over the pod template of every workload (Pod, StatefulSet, Deployment, DaemonSet,
 * ReplicaSet, Job, CronJob): `check` returns one message per problem, prefixed here with the
 * object it is about.
 */
export function workloadRule(info: RuleInfo, check: (template: PodTemplate, props: KubeProps, args: ResourceValidationArgs) => string[]): ResourceRule {
  return {
    ...info,
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      const template = podTemplateOf(args.type, args.props);
      if (!template) return;
      const props = args.props as KubeProps;
      for (const message of check(template, props, args)) reportViolation(`${describe(props)}: ${message}`);
    },
  };
}

/** A rule over resources of the given types: `check` returns one message per problem. */
export function resourceRule(
  info: RuleInfo,
  types: readonly string[],
  check: (props: Record<string, unknown>, args: ResourceValidationArgs) => string[],
): ResourceRule {
  return {
    ...info,
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
      if (!types.includes(args.type)) return;
      for (const message of check(args.props, args)) reportViolation(message);
    },
  };
}

/** A stack rule: `check` returns problems, each about one resource (by URN) or the stack. */
export function stackRule(info: RuleInfo, check: (args: StackValidationArgs) => { readonly message: string; readonly urn?: string }[]): StackRule {
  return {
    ...info,
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      for (const { message, urn } of check(args)) reportViolation(message, urn);
    },
  };
}

/** A policy's config: the defaults of its schema, overridden by what the pack's config sets. */
export function configOf<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}
