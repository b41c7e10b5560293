import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '@eventix/subgraph-kit';
import { serviceEntry } from '@eventix/testing';

/**
 * deploy/k8s against the Kubernetes API's JSON schemas (kubernetes-models' validators, generated
 * from the API's OpenAPI document), and against what the services need: probes on their health
 * routes, a grace period covering the drain, a disruption budget, subgraphs reachable only from
 * inside. No cluster runs here; this is what `kubectl apply --dry-run=server` would catch first.
 */
const DIR = path.resolve(__dirname, '../../deploy/k8s');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

function loadManifests(): Array<{ file: string; doc: Manifest }> {
  const kustomization = parseAllDocuments(fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8'))[0].toJS() as { resources: string[] };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return { file, doc: d.toJS() as Manifest };
    }),
  );
}

type Container = {
  name: string;
  command: string[];
  ports: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  livenessProbe?: { httpGet?: { path: string; port: string } };
  readinessProbe?: { httpGet?: { path: string; port: string } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type DeploymentDoc = Manifest & {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { terminationGracePeriodSeconds: number; containers: Container[] } } };
};

describe('deploy/k8s manifests', () => {
  const manifests = loadManifests();
  const of = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
  const deployments = of('Deployment') as DeploymentDoc[];
  const container = (name: string) => deployments.find((d) => d.metadata.name === name)!.spec.template.spec.containers[0];

  it('every document is valid against the Kubernetes JSON schema of its kind', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const { file, doc } of manifests) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      if (!Model) throw new Error(`${file}: no schema for ${doc.apiVersion} ${doc.kind}`);
      expect(() => new Model(doc as never).validate()).not.toThrow();
    }
  });

  it('the validator does refuse a broken manifest (the check is not vacuous)', () => {
    const broken = structuredClone(deployments[0]) as unknown as { spec: { replicas: unknown; template: { spec: { containers: unknown } } } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas must be integer/);
    broken.spec.replicas = 2;
    broken.spec.template.spec.containers = [{ image: 'eventix' }];
    expect(() => new Deployment(broken as never).validate()).toThrow(/name/);
  });

  it('runs every service and the fan app, each with its own entry point', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['booking', 'catalog', 'gateway', 'payment', 'web']);
    for (const service of ['gateway', 'catalog', 'booking', 'payment'] as const) {
      expect(container(service).command).toEqual(['node', serviceEntry(service).fromRoot]);
    }
    const webStart = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../web/package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(container('web').command.join(' ')).toBe(webStart.replace('dist/', 'web/dist/'));
  });

  it('probes, resources, graceful termination and a disruption budget for each Deployment', () => {
    const budgets = of('PodDisruptionBudget') as Array<Manifest & { spec: { minAvailable?: number; selector: { matchLabels: Record<string, string> } } }>;
    for (const d of deployments) {
      const c = d.spec.template.spec.containers[0];
      const health = d.metadata.name === 'web' ? ['/healthz', '/healthz'] : ['/health/live', '/health/ready'];
      expect([c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path]).toEqual(health);
      expect(c.ports.map((p) => p.name)).toContain(c.livenessProbe?.httpGet?.port);
      expect(c.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources?.limits?.memory).toBeDefined();
      // The pod stays in the endpoints' wake for the preStop sleep, then drains within SHUTDOWN_TIMEOUT_MS.
      const preStop = Number(c.lifecycle?.preStop?.exec?.command.join(' ').replace(/^sleep /, ''));
      expect(preStop).toBeGreaterThan(0);
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000);
      expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      const budget = budgets.find((b) => JSON.stringify(b.spec.selector.matchLabels) === JSON.stringify(d.spec.selector.matchLabels));
      expect(budget?.spec.minAvailable).toBeLessThan(d.spec.replicas);
      const service = (of('Service') as Array<Manifest & { spec: { selector: Record<string, string>; ports: Array<{ targetPort: string }> } }>).find((s) => s.metadata.name === d.metadata.name);
      expect(service?.spec.selector).toEqual(d.spec.selector.matchLabels);
    }
    const config = of('ConfigMap')[0] as Manifest & { data: Record<string, string> };
    expect(Number(config.data.SHUTDOWN_TIMEOUT_MS)).toBe(DEFAULT_SHUTDOWN_TIMEOUT_MS);
  });

  it('secrets come from the Secret, settings from the ConfigMap, and every service listens beyond localhost', () => {
    const secret = of('Secret')[0] as Manifest & { stringData: Record<string, string> };
    for (const d of deployments) {
      const c = d.spec.template.spec.containers[0];
      expect(c.envFrom?.[0]?.configMapRef?.name).toBe('eventix-config');
      for (const variable of c.env ?? []) {
        if (variable.valueFrom?.secretKeyRef) expect(Object.keys(secret.stringData)).toContain(variable.valueFrom.secretKeyRef.key);
        if (/SECRET|DATABASE_URL|SIGNING_KEY/.test(variable.name)) expect(variable.valueFrom?.secretKeyRef?.name).toBe('eventix-secrets');
      }
      expect(c.env?.find((v) => v.name.endsWith('_HOST'))?.value).toBe('0.0.0.0');
    }
    expect(container('booking').env?.map((v) => v.name)).toEqual(expect.arrayContaining(['BOOKING_DATABASE_URL', 'TICKET_SIGNING_KEY', 'INTERNAL_JWT_SECRET']));
  });

  it('subgraphs are internal: only the gateway (and payment, for the hold) reach them', () => {
    const policies = of('NetworkPolicy') as Array<Manifest & { spec: { podSelector: { matchLabels: Record<string, string> }; ingress: Array<{ from: Array<{ podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: { matchLabels: Record<string, string> } }> }> } }>;
    const allowedPods = (name: string) => {
      const policy = policies.find((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/name'] === name);
      if (!policy) throw new Error(`no NetworkPolicy for ${name}`);
      return policy.spec.ingress.flatMap((rule) => rule.from.map((f) => f.podSelector?.matchLabels['app.kubernetes.io/name'] ?? `namespace ${f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name']}`));
    };
    expect(allowedPods('catalog')).toEqual(['gateway', 'namespace monitoring']);
    expect(allowedPods('booking')).toEqual(['gateway', 'payment', 'namespace monitoring']);
    // Payment also takes the provider's webhooks through the ingress controller.
    expect(allowedPods('payment')).toEqual(['gateway', 'namespace ingress-nginx', 'namespace monitoring']);
  });
});
