/**
 * kubeApi's patch (what `sessions start|stop` scales with) against a local HTTP server this test
 * starts: the request the API server receives, the answer, and the error of a refusal.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kubeApi, KubeApiError } from '../../../components/kubernetes/api-client';
import { scaleStatefulSet } from '../../../components/kubernetes/scale';

interface Received {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('kubeApi patch', () => {
  let server: Server;
  let received: Received[] = [];
  let answer: { status: number; body: string } = { status: 200, body: '{}' };
  let kubeconfig: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kubeconfig = [
      'apiVersion: v1',
      'current-context: c',
      'clusters: [{name: k, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: u, user: {token: secret-token}}]',
      'contexts: [{name: c, context: {cluster: k, user: u}}]',
    ].join('\n');
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received = [];
  });

  it('sends a JSON merge patch with the credentials and returns the answer', async () => {
    answer = { status: 200, body: '{"spec":{"replicas":0}}' };
    const result = await kubeApi({ files: [{ text: kubeconfig }] }).patch('/apis/apps/v1/namespaces/nb-a/statefulsets/s/scale?fieldManager=m', { spec: { replicas: 0 } });
    expect(result).toEqual({ spec: { replicas: 0 } });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/nb-a/statefulsets/s/scale?fieldManager=m', body: '{"spec":{"replicas":0}}' });
    expect(received[0].headers).toMatchObject({ 'content-type': 'application/merge-patch+json', 'content-length': '23', authorization: 'Bearer secret-token' });
  });

  it('reports a refusal with the path (no query) and the API server\'s message', async () => {
    answer = { status: 403, body: '{"kind":"Status","message":"statefulsets.apps \\"s\\" is forbidden"}' };
    const patch = kubeApi({ files: [{ text: kubeconfig }] }).patch('/apis/apps/v1/namespaces/nb-a/statefulsets/s/scale?fieldManager=m', {});
    await expect(patch).rejects.toThrow(KubeApiError);
    await expect(patch).rejects.toThrow('PATCH /apis/apps/v1/namespaces/nb-a/statefulsets/s/scale: 403: statefulsets.apps "s" is forbidden');
  });

  it('scaleStatefulSet patches the scale subresource as the sessions field manager', async () => {
    answer = { status: 200, body: '{"spec":{"replicas":1}}' };
    expect(await scaleStatefulSet('nb-a', 's', 1, { files: [{ text: kubeconfig }] })).toEqual({ replicas: 1 });
    expect(received[0]).toMatchObject({ method: 'PATCH', url: '/apis/apps/v1/namespaces/nb-a/statefulsets/s/scale?fieldManager=notebook-platform-sessions', body: '{"spec":{"replicas":1}}' });
  });
});
