/**
 * What a real node may change on the host, captured before it starts and compared after it
 * stops: processes of the node's programs, mounts, iptables rules (every table, both backends),
 * ipsets, network links, network namespaces and the sysctls the kubelet, kube-proxy and the
 * bridge plugin touch. Counters and comments are dropped from iptables dumps so that only rules
 * and chains are compared.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** Programs a real node runs; any process of these left after stop is a leak. */
export const NODE_PROGRAMS = ['containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'kubelet', 'kube-proxy', 'kube-router', 'coredns', 'runc'];

/** Sysctls the node's programs are known to set. */
export const WATCHED_SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'net/ipv4/ip_forward',
  'net/ipv4/conf/all/route_localnet',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'net/netfilter/nf_conntrack_max',
];

export interface HostState {
  processes: string[];
  mounts: string[];
  iptables: string[];
  ipsets: string[];
  links: string[];
  netns: string[];
  sysctls: Record<string, string>;
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout : '';
}

/** Rules and chains of an iptables-save dump, without counters, comments and COMMIT lines. */
function iptablesRules(dump: string, label: string): string[] {
  return dump
    .split('\n')
    .filter((line) => line && !line.startsWith('#') && line !== 'COMMIT')
    .map((line) => `${label} ${line.replace(/\[\d+:\d+\]/g, '').trimEnd()}`);
}

function processes(): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const exe = fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
      const name = exe.slice(exe.lastIndexOf('/') + 1);
      if (NODE_PROGRAMS.includes(name)) found.push(`${name} (pid ${pid}): ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch {
      // The process ended, or is a kernel thread without an executable.
    }
  }
  return found.sort();
}

function sysctl(name: string): string {
  try {
    return fs.readFileSync(`/proc/sys/${name}`, 'utf8').trim();
  } catch {
    return '(absent)';
  }
}

export function captureHostState(): HostState {
  const iptables: string[] = [];
  for (const tool of ['iptables-legacy-save', 'iptables-nft-save', 'ip6tables-legacy-save', 'ip6tables-nft-save']) {
    iptables.push(...iptablesRules(run(tool, []), tool));
  }
  return {
    processes: processes(),
    mounts: fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ').slice(3, 5).join(' ')).sort(),
    iptables: iptables.sort(),
    ipsets: run('ipset', ['list', '-n']).split('\n').filter(Boolean).sort(),
    links: run('ip', ['-o', 'link', 'show']).split('\n').filter(Boolean).map((line) => line.split(':')[1].trim().split('@')[0]).sort(),
    netns: fs.existsSync('/run/netns') ? fs.readdirSync('/run/netns').sort() : [],
    sysctls: Object.fromEntries(WATCHED_SYSCTLS.map((name) => [name, sysctl(name)])),
  };
}

/** What differs between two captures, one line per difference ("+" appeared, "-" went away). */
export function hostStateDiff(before: HostState, after: HostState): string[] {
  const lines: string[] = [];
  for (const key of ['processes', 'mounts', 'iptables', 'ipsets', 'links', 'netns'] as const) {
    const was = new Set(before[key]);
    const now = new Set(after[key]);
    for (const item of after[key]) if (!was.has(item)) lines.push(`${key} + ${item}`);
    for (const item of before[key]) if (!now.has(item)) lines.push(`${key} - ${item}`);
  }
  for (const name of WATCHED_SYSCTLS) {
    if (before.sysctls[name] !== after.sysctls[name]) lines.push(`sysctl ${name}: ${before.sysctls[name]} -> ${after.sysctls[name]}`);
  }
  return lines;
}
