/**
 * A stand-in for the cloud metadata address: a network namespace the test creates, plugged into
 * the real node's pod bridge by a veth pair, holding two addresses of TEST-NET-2
 * (198.51.100.0/24, documentation-only, routed nowhere): one the internet rule allows and one it
 * excepts "like the metadata address". The host routes that range to the bridge, so pod traffic
 * to it is forwarded exactly like traffic to the internet (and never leaves the host; the node's
 * containment only lets pod traffic out through the bridge). A bounded TCP listener answers on
 * both addresses. Test traffic goes only here; the host's real metadata service never sees a
 * packet. `remove()` deletes the route, the namespace, the link (its peer goes with it) and the
 * listener.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';

export interface StandIn {
  allowedAddress: string;
  metadataAddress: string;
  port: number;
  remove(): void;
}

const STAND_IN_RANGE = '198.51.100.0/24';
const ALLOWED_ADDRESS = '198.51.100.2';
const METADATA_STAND_IN = '198.51.100.254';
const PORT = 8080;
/** The listener exits by itself after this long, whatever happens to the suite. */
const LISTENER_LIFETIME_SECONDS = 900;

const NETNS_DIR = '/run/netns';

function isMountPoint(dir: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === dir);
}

function ip(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

/** The bridge holding the pod network's gateway address (the first address of the pod CIDR). */
function bridgeOf(podCidr: string): { bridge: string; gateway: string } {
  const [base] = podCidr.split('/');
  const octets = base.split('.').map(Number);
  octets[3] += 1;
  const gateway = octets.join('.');
  const r = spawnSync('ip', ['-o', '-4', 'addr', 'show'], { encoding: 'utf8', timeout: 10_000 });
  const line = r.stdout.split('\n').find((l) => l.includes(` ${gateway}/`));
  if (!line) throw new Error(`no interface holds the pod gateway ${gateway} (is the real node running?)`);
  return { bridge: line.split(/\s+/)[1], gateway };
}

export async function standInNetwork(podCidr: string): Promise<StandIn> {
  const { bridge, gateway } = bridgeOf(podCidr);
  const suffix = randomBytes(3).toString('hex');
  const netns = `np-standin-${suffix}`;
  const hostLink = `npsh${suffix}`;
  const nsLink = `npsn${suffix}`;
  let listener: ChildProcess | undefined;
  // `ip netns add` makes /run/netns a mount point the first time; put the host back as it was.
  const netnsDirExisted = fs.existsSync(NETNS_DIR);
  const netnsDirMounted = isMountPoint(NETNS_DIR);
  const remove = () => {
    listener?.kill('SIGKILL');
    spawnSync('ip', ['route', 'del', STAND_IN_RANGE, 'dev', bridge], { timeout: 10_000 });
    spawnSync('ip', ['link', 'del', hostLink], { timeout: 10_000 });
    spawnSync('ip', ['netns', 'del', netns], { timeout: 10_000 });
    if (!netnsDirMounted && isMountPoint(NETNS_DIR) && fs.readdirSync(NETNS_DIR).length === 0) spawnSync('umount', [NETNS_DIR], { timeout: 10_000 });
    if (!netnsDirExisted && fs.existsSync(NETNS_DIR) && !isMountPoint(NETNS_DIR)) fs.rmdirSync(NETNS_DIR);
  };
  try {
    ip(['netns', 'add', netns]);
    ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink]);
    ip(['link', 'set', nsLink, 'netns', netns]);
    ip(['link', 'set', hostLink, 'master', bridge]);
    ip(['link', 'set', hostLink, 'up']);
    ip(['-n', netns, 'addr', 'add', `${ALLOWED_ADDRESS}/24`, 'dev', nsLink]);
    ip(['-n', netns, 'addr', 'add', `${METADATA_STAND_IN}/24`, 'dev', nsLink]);
    ip(['-n', netns, 'link', 'set', nsLink, 'up']);
    ip(['-n', netns, 'link', 'set', 'lo', 'up']);
    // Replies go back through the host (the pod gateway), like an internet host's would.
    ip(['-n', netns, 'route', 'add', `${gateway}/32`, 'dev', nsLink]);
    ip(['-n', netns, 'route', 'add', 'default', 'via', gateway, 'dev', nsLink]);
    ip(['route', 'add', STAND_IN_RANGE, 'dev', bridge]);
    // A plain TCP listener on both addresses (0.0.0.0 inside the namespace), ending by itself.
    const script = [
      'import socket, threading, time',
      's = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
      `s.bind(("0.0.0.0", ${PORT})); s.listen(16)`,
      `threading.Timer(${LISTENER_LIFETIME_SECONDS}, lambda: __import__("os")._exit(0)).start()`,
      'while True:',
      '    c, _ = s.accept(); c.sendall(b"stand-in\\n"); c.close()',
    ].join('\n');
    listener = spawn('ip', ['netns', 'exec', netns, 'python3', '-c', script], { stdio: 'ignore' });
    await waitListening(netns);
  } catch (error) {
    remove();
    throw error;
  }
  return { allowedAddress: ALLOWED_ADDRESS, metadataAddress: METADATA_STAND_IN, port: PORT, remove };
}

async function waitListening(netns: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('ip', ['netns', 'exec', netns, 'bash', '-c', `exec 3<>/dev/tcp/${ALLOWED_ADDRESS}/${PORT}`], { timeout: 5_000 });
    if (r.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the stand-in listener in ${netns} did not start`);
}
