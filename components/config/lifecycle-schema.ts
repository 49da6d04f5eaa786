/**
 * The data lifecycle's config blocks. `backup`: when backups run and how long they are kept (on
 * efs an AWS Backup plan and vault for the file system; on storageClass CSI VolumeSnapshots of
 * every home and share; what a backend cannot do is refused by lifecycle-checks.ts). `usage`:
 * when the used bytes of every home and share are measured.
 */
import { z } from 'zod';
import { isDnsSubdomain } from './grammars';

const CRON_FIELD = {
  minute: /^([0-5]?\d)$/,
  hour: /^(\*|\*\/\d{1,2}|(\d{1,2}(-\d{1,2})?)(,\d{1,2}(-\d{1,2})?)*)$/,
  dayOfMonth: /^(\*|(\d{1,2}(-\d{1,2})?)(,\d{1,2}(-\d{1,2})?)*)$/,
  month: /^(\*|(\d{1,2}(-\d{1,2})?)(,\d{1,2}(-\d{1,2})?)*)$/,
  dayOfWeek: /^(\*|([0-7](-[0-7])?)(,[0-7](-[0-7])?)*)$/,
} as const;

/**
 * A five-field cron schedule in UTC that both AWS Backup and a Kubernetes CronJob can run: a
 * single minute (backups run at most hourly), and not both a day of the month and a day of the
 * week (AWS Backup takes one of them).
 */
export function isBackupSchedule(value: string): boolean {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const ok = CRON_FIELD.minute.test(minute) && Number(minute) < 60 && CRON_FIELD.hour.test(hour) && CRON_FIELD.dayOfMonth.test(dayOfMonth) && CRON_FIELD.month.test(month) && CRON_FIELD.dayOfWeek.test(dayOfWeek);
  return ok && (dayOfMonth === '*' || dayOfWeek === '*');
}

/** The same schedule as an AWS Backup expression: `cron(M H DOM MON DOW *)`, `?` for the unused day, Sunday 1. */
export function awsBackupSchedule(value: string): string {
  const [minute, hour, dayOfMonth, month, dayOfWeek] = value.trim().split(/\s+/);
  const awsDay = (day: string) => String((Number(day) % 7) + 1);
  const dow = dayOfWeek === '*' ? '?' : dayOfWeek.replace(/\d/g, awsDay);
  const dom = dayOfWeek === '*' ? dayOfMonth : '?';
  return `cron(${Number(minute)} ${hour} ${dom} ${month} ${dow} *)`;
}

/** The config's `backup` block (see BackupConfig). */
export const backupSchema = z.strictObject({
  /**
   * When backups run: five-field cron in UTC, a single minute, a day of the month or of the week
   * (not both). @default "0 3 * * *" (daily at 03:00 UTC)
   */
  schedule: z
    .string()
    .refine(isBackupSchedule, {
      message: 'must be a five-field cron schedule in UTC such as "0 3 * * *": one minute (0-59), hours, days of the month, months and days of the week (0-7) as *, numbers, ranges or lists, and not both a day of the month and a day of the week',
    })
    .default('0 3 * * *'),
  /** Days each backup is kept. @default 35 */
  retentionDays: z.number().int().min(1).max(36500).default(35),
  /** efs: also copy every recovery point to a vault in this region. @default none */
  copyToRegion: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, { message: 'must be an AWS region such as "eu-central-1"' }).optional(),
  /** storageClass: the VolumeSnapshotClass of the StorageClass's CSI driver (required there). */
  volumeSnapshotClassName: z.string().refine(isDnsSubdomain, { message: 'must be a VolumeSnapshotClass name (a DNS subdomain)' }).optional(),
});

/** The config's `backup` block, defaults filled in. */
export type BackupConfig = z.infer<typeof backupSchema>;

/** The `usage` block: when the read-only measuring Job runs. */
export const usageSchema = z.strictObject({
  /**
   * When the used bytes of every home and share are measured (a read-only Job; see
   * `notebook-platform usage`): five-field cron in UTC, as `backup.schedule`. Each run walks
   * every file, which costs reads on EFS: hourly or daily. @default "17 * * * *" (hourly)
   */
  schedule: z.string().refine(isBackupSchedule, { message: 'must be a five-field cron schedule in UTC such as "17 * * * *" (hourly) or "0 4 * * *" (daily)' }).default('17 * * * *'),
});

/** What the stack builds for the team's `backup`: the config's settings, and for CSI snapshots the job's image and API endpoint. */
export interface BackupPlan extends BackupConfig {
  /** storageClass: the snapshot job's image, the team's first environment by name (it has Python). */
  readonly image?: string;
  /** storageClass: where the snapshot job reaches the API server (network.apiServer). */
  readonly apiServer?: { readonly cidrs: readonly string[]; readonly port: number };
}

/** The backup plan of a valid config, or undefined without a `backup` block. */
export function backupPlan(config: { backup?: BackupConfig; storage: { backend: string }; environments: Record<string, { image: string }>; network: { apiServer?: { cidrs: string[]; port: number } } }): BackupPlan | undefined {
  const backup = config.backup;
  if (!backup) return undefined;
  if (config.storage.backend !== 'storageClass') return backup;
  const environment = Object.keys(config.environments).sort()[0];
  const apiServer = config.network.apiServer;
  return {
    ...backup,
    image: config.environments[environment].image,
    ...(apiServer ? { apiServer: { cidrs: [...new Set(apiServer.cidrs)].sort(), port: apiServer.port } } : {}),
  };
}

/** When and with which image the team's used bytes are measured. */
export interface UsagePlan {
  /** Five-field cron, UTC (the config's `usage.schedule`). */
  readonly schedule: string;
  /** The team's first environment by name: it has Python and du. */
  readonly image: string;
}

export function usagePlan(config: { usage?: { schedule: string }; environments: Record<string, { image: string }> }): UsagePlan | undefined {
  if (!config.usage) return undefined;
  return { schedule: config.usage.schedule, image: config.environments[Object.keys(config.environments).sort()[0]].image };
}
