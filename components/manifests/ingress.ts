/**
 * A session's optional Ingress: `https://<host>/notebooks/<team>/<session>/` to the session's
 * Service. With SSO, ingress-nginx asks oauth2-proxy before every request and lets through only
 * the session's owner.
 */
import type { Plan, SessionPlan } from '../config/plan';
import { meta, SKIP_AWAIT } from './objects';
import type { IngressManifest } from './kube';
import { HTTP_PORT_NAME } from './containers';

const NGINX = 'nginx.ingress.kubernetes.io';

/**
 * ingress-nginx annotations: long-lived websockets (kernels), notebook-sized request bodies,
 * and with `sso` the oauth2-proxy checks, restricted to `<owner>@<emailDomain>`.
 */
export function ingressAnnotations(plan: Plan, session: SessionPlan): Record<string, string> {
  const annotations: Record<string, string> = {
    [`${NGINX}/proxy-body-size`]: '512m',
    [`${NGINX}/proxy-read-timeout`]: '3600',
    [`${NGINX}/proxy-send-timeout`]: '3600',
    // A stopped session has no endpoints and the controller may publish no address: do not wait.
    ...SKIP_AWAIT,
  };
  const sso = plan.ingress?.sso;
  if (sso) {
    const url = sso.url.replace(/\/+$/, '');
    const email = `${session.owner}@${sso.emailDomain}`;
    annotations[`${NGINX}/auth-url`] = `${url}/auth?allowed_emails=${encodeURIComponent(email)}`;
    annotations[`${NGINX}/auth-signin`] = `${url}/start?rd=$escaped_request_uri`;
    annotations[`${NGINX}/auth-response-headers`] = 'X-Auth-Request-User,X-Auth-Request-Email';
  }
  return Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The session's Ingress, or undefined when the team has no `ingress`. */
export function sessionIngress(plan: Plan, session: SessionPlan): IngressManifest | undefined {
  const ingress = plan.ingress;
  if (!ingress) return undefined;
  const spec: IngressManifest['spec'] & object = {
    ingressClassName: ingress.className,
    rules: [
      {
        host: ingress.host,
        http: {
          paths: [{ path: session.baseUrl, pathType: 'Prefix', backend: { service: { name: session.names.service, port: { name: HTTP_PORT_NAME } } } }],
        },
      },
    ],
  };
  if (ingress.tlsSecretName) spec.tls = [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: meta(session.names.ingress, session.labels, plan.namespace, ingressAnnotations(plan, session)),
    spec,
  };
}
