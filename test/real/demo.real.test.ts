/**
 * `npm start` as a new user meets it: the default stack (stacks/Pulumi.local.yaml) on the real
 * node, ending with a URL per session that opens on this machine and the command that prints its
 * token; then `npm run stop`. State goes to a temporary NOTEBOOK_PLATFORM_DEMO_DIR, and the
 * cluster it starts is tied to this process (NOTEBOOK_PLATFORM_DEMO_OWNER_PID).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../e2e/support/control-plane';
import { runProcess, type ProcessResult } from '../e2e/support/process';
import { request } from './support/sessions';

const DEMO = path.join(REPO_ROOT, 'scripts', 'demo');
const TEST_TIMEOUT_MS = 30 * 60_000;

let dir: string;

function demo(args: string[]): Promise<ProcessResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NOTEBOOK_PLATFORM_DEMO_DIR: dir, NOTEBOOK_PLATFORM_DEMO_OWNER_PID: String(process.pid) };
  delete env.KUBECONFIG;
  delete env.NOTEBOOK_PLATFORM_DEMO_STACK;
  return runProcess('bash', [DEMO, ...args], { cwd: REPO_ROOT, env, timeoutMs: TEST_TIMEOUT_MS });
}

const explain = (r: ProcessResult) => (r.code === 0 ? '' : `exit ${r.code}\n---- stdout\n${r.stdout.slice(-4000)}\n---- stderr\n${r.stderr.slice(-6000)}`);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-real-demo-'));
});

afterAll(async () => {
  try {
    await demo(['stop']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, TEST_TIMEOUT_MS);

describe('npm start on the real node', () => {
  let urls: Map<string, string>;

  it('deploys the local stack and prints, per session, a URL on this machine and the token command', async () => {
    const startedAt = Date.now();
    const r = await demo(['start']);
    expect(explain(r)).toBe('');
    const lines = r.stdout.split('\n').filter((line) => /^\s+\S+\s+http:\/\/127\.0\.0\.1:\d+\//.test(line));
    urls = new Map(lines.map((line) => {
      const [session, url] = line.trim().split(/\s+/);
      return [session, url];
    }));
    expect([...urls.keys()].sort()).toEqual(['analysis', 'reporting']);
    for (const [session, url] of urls) {
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/notebooks/local/${session}/lab$`));
      expect(r.stdout).toContain(`token: scripts/demo token ${session}`);
    }
    // Each home's and the share's used bytes, measured by the team's usage job on this node right
    // after the update (a welcome notebook is in every new home, so none is empty).
    const used = (name: string) => r.stdout.split('\n').find((line) => line.startsWith(`${name} `))?.split(/\s{2,}/).pop();
    expect({ analysis: used('analysis'), reporting: used('reporting'), scratch: used('scratch') }).toEqual({
      analysis: expect.stringMatching(/^[1-9][\d.]*(B|Ki|Mi)\/1Gi$/),
      reporting: expect.stringMatching(/^[1-9][\d.]*(B|Ki|Mi)\/1Gi$/),
      scratch: expect.stringMatching(/^[\d.]+(B|Ki|Mi)\/1Gi$/),
    });
    // Measured after this start began, by the run npm start made or, when the hour's scheduled run
    // (notebook-usage-<minute>) fell inside the start, by that one: the table shows the newest.
    const measured = /^USED: bytes on disk\/requested size, measured at (\S+) by (notebook-usage-(?:start|\d+)-\S+) /m.exec(r.stdout);
    expect(measured).not.toBeNull();
    expect(Date.parse(measured![1])).toBeGreaterThanOrEqual(Math.floor(startedAt / 1000) * 1000);
  }, TEST_TIMEOUT_MS);

  it.each(['analysis', 'reporting'])('the URL of %s opens JupyterLab with the printed token, and not without it', async (session) => {
    const url = new URL(urls.get(session)!);
    const token = (await demo(['token', session])).stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9]{48}$/);
    const port = Number(url.port);
    const anonymous = await request(port, 'GET', url.pathname);
    expect(anonymous.status).toBe(302);
    const lab = await request(port, 'GET', url.pathname, { authorization: `token ${token}` });
    expect(lab.status).toBe(200);
    expect(lab.body).toMatch(/JupyterLab/);
  }, TEST_TIMEOUT_MS);

  it('a second npm start changes nothing and keeps each session\'s URL', async () => {
    const r = await demo(['start']);
    expect(explain(r)).toBe('');
    expect(r.stderr).toMatch(/demo stack updated in \d+s: no changes \(\d+ unchanged\)/);
    for (const [session, url] of urls) expect(r.stdout).toContain(`${url}   token: scripts/demo token ${session}`);
  }, TEST_TIMEOUT_MS);

  it('npm run stop ends the port-forwards and removes the local volumes with the cluster', async () => {
    const port = Number(new URL(urls.get('analysis')!).port);
    const stop = await demo(['stop']);
    expect(explain(stop)).toBe('');
    expect(fs.existsSync(path.join(dir, 'forwards'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'volumes'))).toBe(false);
    await expect(request(port, 'GET', '/')).rejects.toThrow(/ECONNREFUSED/);
  }, TEST_TIMEOUT_MS);
});
