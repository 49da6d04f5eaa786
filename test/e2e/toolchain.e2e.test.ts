/**
 * The Pulumi toolchain (scripts/pulumi-toolchain) is the one the npm packages expect: the CLI
 * and our language host at the version of @pulumi/pulumi, the kubernetes provider at the version
 * of @pulumi/kubernetes (or a pre-release leading to it, the closest the Go module proxy serves;
 * the script's header says why). Versions are read from the running programs, not from the
 * script: the CLI's `version`, and GetPluginInfo over gRPC from the plugin binaries, as the
 * engine asks them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import type { PluginInfo } from '@pulumi/pulumi/proto/plugin_pb';
import { ResourceProviderClient } from '@pulumi/pulumi/proto/provider_grpc_pb';
import { LanguageRuntimeClient } from '@pulumi/pulumi/proto/language_grpc_pb';
import { REPO_ROOT } from './support/control-plane';
import { PulumiWorkspace } from './support/pulumi';

const TIMEOUT_MS = 60_000;

/** The version package.json pins and node_modules holds (they must agree: npm ci). */
function npmVersion(name: string): string {
  const pinned = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).dependencies[name];
  const installed = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  expect(installed).toBe(pinned);
  return pinned;
}

type InfoClient = {
  getPluginInfo(req: Empty, cb: (err: grpc.ServiceError | null, info: PluginInfo) => void): void;
  close(): void;
};

/**
 * Starts a plugin binary the way the engine does (engine address as its argument; it prints
 * its port), asks GetPluginInfo and stops it.
 */
function pluginVersion(
  binary: string,
  client: new (address: string, creds: grpc.ChannelCredentials) => InfoClient,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['127.0.0.1:1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      child.kill();
      fn();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`${binary} printed no port: ${out}${err}`))), TIMEOUT_MS);
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => finish(() => reject(e)));
    child.stdout.on('data', (d) => {
      out += d;
      const port = /^(\d+)\s*$/m.exec(out)?.[1];
      if (!port) return;
      child.stdout.removeAllListeners('data');
      const c = new client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      c.getPluginInfo(new Empty(), (e, info) => {
        c.close();
        finish(() => (e ? reject(e) : resolve(info.getVersion())));
      });
    });
  });
}

let ws: PulumiWorkspace;
let bin: string;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-e2e-toolchain-'));
  ws = PulumiWorkspace.create(dir, '/dev/null');
  const pulumi = spawnSync('bash', ['-c', 'command -v pulumi'], { env: ws.env, encoding: 'utf8' });
  bin = path.dirname(pulumi.stdout.trim());
}, 30 * 60_000);

test('the CLI is the version of @pulumi/pulumi', async () => {
  const r = await ws.run(['version']);
  expect(r.stdout.trim()).toBe(`v${npmVersion('@pulumi/pulumi')}`);
});

test('the Node.js language host is the version of @pulumi/pulumi', async () => {
  const version = await pluginVersion(path.join(bin, 'pulumi-language-nodejs'), LanguageRuntimeClient);
  expect(version).toBe(`v${npmVersion('@pulumi/pulumi')}`);
}, TIMEOUT_MS);

test('the kubernetes provider is the version of @pulumi/kubernetes, or a pre-release leading to it', async () => {
  const version = await pluginVersion(path.join(bin, 'pulumi-resource-kubernetes'), ResourceProviderClient);
  const npm = npmVersion('@pulumi/kubernetes');
  expect(version === npm || version.startsWith(`${npm}-`)).toBe(true);
}, TIMEOUT_MS);

test('the engine sees the program through package.json: dependencies and plugins at the npm versions', async () => {
  const r = await ws.run(['about', '--json'], { allowFailure: true });
  const about = JSON.parse(r.stdout);
  const deps = Object.fromEntries((about.dependencies ?? []).map((d: { name: string; version: string }) => [d.name, d.version]));
  expect(deps['@pulumi/pulumi']).toBe(npmVersion('@pulumi/pulumi'));
  expect(deps['@pulumi/kubernetes']).toBe(npmVersion('@pulumi/kubernetes'));
  expect(about.runtime.languageHost).toContain(`v${npmVersion('@pulumi/pulumi')}`);
  const kubernetes = about.plugins.find((p: { name: string }) => p.name === 'kubernetes');
  expect(kubernetes.version).toBe(npmVersion('@pulumi/kubernetes'));
}, TIMEOUT_MS);

test('no plugin is ever downloaded, and the automatic engine log is off', () => {
  expect(ws.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe('true');
  const logs = path.join(ws.env.PULUMI_HOME, 'logs');
  expect(fs.statSync(logs).isFile()).toBe(true);
});
