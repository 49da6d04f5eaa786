/** platform-secrets-not-credentials over the example stacks and sessions given platform Secrets. */
import { platformSecretsRule } from '../../../policies/rules';
import { containerOf, describeMandatoryRules, messages, pick, podSpecOf, stackResources, TYPE } from './fixtures';

const IMAGING = 'StatefulSet nb-team-a/imaging';
const INGRESS = 'kubernetes:networking.k8s.io/v1:Ingress';
const volumeOf = (statefulSet: { inputs: Record<string, any> }, name: string) => podSpecOf(statefulSet).volumes.find((v: { name: string }) => v.name === name);

describeMandatoryRules([['platform-secrets-not-credentials', platformSecretsRule]]);

describe('platform-secrets-not-credentials', () => {
  it('fails git credentials that are another session\'s token Secret', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    volumeOf(statefulSet, 'git-secret').secret.secretName = 'trial-analysis-token';
    expect(await messages(platformSecretsRule(), resources)).toEqual([
      `${IMAGING}: volume "git-secret" references Secret trial-analysis-token, a session token Secret (<session>-token) that is not this session's own; a Secret the platform manages is never a credential`,
    ]);
  });

  it('fails the session\'s own token given to a helper, as a volume or in env', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    volumeOf(statefulSet, 'git-secret').secret.secretName = 'imaging-token';
    containerOf(statefulSet, 'prepare-home').env.push({ name: 'GIT_PASSWORD', valueFrom: { secretKeyRef: { name: 'imaging-token', key: 'token' } } });
    expect(await messages(platformSecretsRule(), resources)).toEqual([
      `${IMAGING}: volume "git-secret" gives the session's token Secret imaging-token to container "git-sync"; only the notebook container may read it`,
      `${IMAGING}: env GIT_PASSWORD of init container "prepare-home" gives the session's token Secret imaging-token to container "prepare-home"; only the notebook container may read it`,
    ]);
  });

  it('fails another session\'s token projected into a session pod', async () => {
    const resources = await stackResources('team-a');
    const statefulSet = pick(resources, TYPE.statefulSet, 'imaging');
    podSpecOf(statefulSet).volumes.push({ name: 'others', projected: { sources: [{ secret: { name: 'imaging-retry-token' } }] } });
    containerOf(statefulSet, 'notebook').volumeMounts.push({ name: 'others', mountPath: '/var/others', readOnly: true });
    expect(await messages(platformSecretsRule(), resources)).toEqual([
      `${IMAGING}: volume "others" references Secret imaging-retry-token, a session token Secret (<session>-token) that is not this session's own; a Secret the platform manages is never a credential`,
    ]);
  });

  it('fails an Ingress serving a session token Secret as its certificate', async () => {
    const resources = await stackResources('team-a');
    const ingress = resources.filter((r) => r.type === INGRESS)[0] as { inputs: Record<string, any> };
    ingress.inputs.spec.tls[0].secretName = 'imaging-token';
    const name = ingress.inputs.metadata.name;
    expect(await messages(platformSecretsRule(), resources)).toEqual([
      `Ingress nb-team-a/${name} serves Secret imaging-token as its TLS certificate, a session token Secret (<session>-token); name a certificate Secret the platform does not manage`,
    ]);
  });
});
