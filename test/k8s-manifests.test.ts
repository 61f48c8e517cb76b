import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as kubernetesModels from 'kubernetes-models';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { importsOf, repoRoot } from './support/import-graph.ts';

// Every manifest under k8s/ is validated against the Kubernetes API schemas
// (kubernetes-models: the OpenAPI schemas compiled to validators), then held
// to the properties issue 13 asks for. The schemas accept unknown fields, as
// the API server's non-strict mode does, so the properties that matter are
// asserted by name below: a misspelt one fails there.

type Doc = Record<string, any>;
interface Manifest { file: string; doc: Doc }
type ModelClass = { apiVersion: string; kind: string; new (data: Doc): { validate(): void } };

/**
 * apiVersion/kind → model class, for every top-level kind kubernetes-models
 * knows: its modules are group → version → classes (apps.v1.Deployment), the
 * core group version → classes (v1.Service).
 */
const models = new Map<string, ModelClass>();
const collect = (module: Record<string, unknown>, depth: number): void => {
  for (const value of Object.values(module)) {
    const model = value as Partial<Pick<ModelClass, 'apiVersion' | 'kind'>> | undefined;
    if (typeof value === 'function' && typeof model?.apiVersion === 'string' && typeof model.kind === 'string') {
      models.set(`${model.apiVersion}/${model.kind}`, value as unknown as ModelClass);
    } else if (value && typeof value === 'object' && depth > 0) {
      collect(value as Record<string, unknown>, depth - 1);
    }
  }
};
collect(kubernetesModels, 2);

/** Throws when the document is not a valid object of a kind the Kubernetes API has. */
function validateManifest(doc: Doc): void {
  const Model = models.get(`${doc.apiVersion}/${doc.kind}`);
  if (!Model) throw new Error(`no Kubernetes model for apiVersion ${doc.apiVersion}, kind ${doc.kind}`);
  new Model(doc).validate();
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(entry.name) ? [full] : [];
  });
}

const manifests: Manifest[] = yamlFiles(path.join(repoRoot, 'k8s')).flatMap((full) => {
  const file = path.relative(repoRoot, full);
  return parseAllDocuments(readFileSync(full, 'utf8')).flatMap((document) => {
    if (document.errors.length) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    const doc = document.toJS() as Doc | null;
    return doc === null ? [] : [{ file, doc }];
  });
});

const find = (kind: string, name: string): Doc => {
  const found = manifests.find((m) => m.doc.kind === kind && m.doc.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} under k8s/`);
  return found.doc;
};
const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const podSpecOf = (workload: Doc): Doc => workload.spec.template.spec;
const envOf = (container: Doc, name: string): Doc | undefined => container.env?.find((e: Doc) => e.name === name);
const secretRefs = (workload: Doc) => podSpecOf(workload).containers.flatMap((c: Doc) =>
  (c.env ?? []).filter((e: Doc) => e.valueFrom?.secretKeyRef).map((e: Doc) => ({ env: e.name as string, ...e.valueFrom.secretKeyRef as { name: string; key: string } })));
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const api = find('Deployment', 'configuration-api');
const apiContainer = podSpecOf(api).containers[0] as Doc;
const apiPodLabels = api.spec.template.metadata.labels as Record<string, string>;
const migrate = find('Job', 'configuration-platform-migrate');
const paperWorker = find('Deployment', 'reference-paper-worker');
const workloads = [...ofKind('Deployment'), ...ofKind('Job')];

describe('k8s manifests', () => {
  it('are found and parse as YAML', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    expect(models.size).toBeGreaterThan(100);
  });

  it.each(manifests.map((m) => [`${m.file}: ${m.doc.kind} ${m.doc.metadata?.name}`, m.doc] as const))('%s validates against the Kubernetes API schema', (_, doc) => {
    expect(() => validateManifest(doc)).not.toThrow();
  });

  it('refuse what the API server would refuse: a wrong type, a missing field, an unknown kind', () => {
    const copy = () => structuredClone(api);
    const two = copy();
    two.spec.replicas = 'two';
    expect(() => validateManifest(two)).toThrow(/replicas must be integer/);
    const noContainers = copy();
    delete noContainers.spec.template.spec.containers;
    expect(() => validateManifest(noContainers)).toThrow(/must have required property containers/);
    expect(() => validateManifest({ ...copy(), kind: 'Deplyment' })).toThrow(/no Kubernetes model/);
  });

  describe('the API Deployment', () => {
    it('runs 2 replicas, rolling without losing one', () => {
      expect(api.spec.replicas).toBe(2);
      expect(api.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });

    it('is probed for readiness on /readyz and liveness on /healthz, on its own port', () => {
      const port = apiContainer.ports.find((p: Doc) => p.name === 'http');
      expect(port.containerPort).toBe(4000);
      expect(apiContainer.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(apiContainer.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(apiContainer.startupProbe.httpGet.path).toBe('/healthz');
      expect(envOf(apiContainer, 'PORT')?.value).toBe('4000');
      expect(envOf(apiContainer, 'HOST')?.value).toBe('0.0.0.0');
    });

    it('serves /metrics on a port of its own that only the monitoring namespace reaches, and scrapes that one', () => {
      const metricsPort = apiContainer.ports.find((p: Doc) => p.name === 'metrics');
      expect(envOf(apiContainer, 'METRICS_PORT')?.value).toBe(String(metricsPort.containerPort));
      expect(api.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics', 'prometheus.io/port': String(metricsPort.containerPort) });
      // Not behind the Service or the Ingress: those route the http port only.
      expect(find('Service', 'configuration-api').spec.ports.map((p: Doc) => p.targetPort)).not.toContain('metrics');
      const policy = find('NetworkPolicy', 'configuration-api');
      const reaching = policy.spec.ingress.filter((rule: Doc) => rule.ports.some((p: Doc) => p.port === metricsPort.containerPort));
      expect(reaching.flatMap((rule: Doc) => rule.from)).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    });

    it('does not start the reference paper worker (PAPER_WORKER=false)', () => {
      expect(envOf(apiContainer, 'PAPER_WORKER')?.value).toBe('false');
    });

    it('connects as the app role (DATABASE_URL) and never sees the owner role', () => {
      expect(envOf(apiContainer, 'DATABASE_URL')?.valueFrom.secretKeyRef).toEqual({ name: 'configuration-platform-db-app', key: 'url' });
      expect(envOf(apiContainer, 'MIGRATION_DATABASE_URL')).toBeUndefined();
      expect(secretRefs(api).map((r: { name: string }) => r.name)).not.toContain('configuration-platform-db-owner');
    });

    it('gets all four initial passwords from the Secret (none would fall back to a file on a read-only disk)', () => {
      for (const user of ['ADMIN', 'APPROVER', 'EDITOR', 'VIEWER']) {
        expect(envOf(apiContainer, `UCP_${user}_PASSWORD`)?.valueFrom.secretKeyRef).toEqual({ name: 'configuration-platform-initial-passwords', key: `UCP_${user}_PASSWORD` });
      }
    });
  });

  describe('every workload (API, reference worker, migration Job)', () => {
    it.each(workloads.map((w) => [`${w.kind} ${w.metadata.name}`, w] as const))('%s runs non-root on a read-only root filesystem, without privileges', (_, workload) => {
      const pod = podSpecOf(workload);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const container of pod.containers as Doc[]) {
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
        });
        expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        expect(container.resources.limits.memory).toEqual(expect.any(String));
        // What a process writes (the paper worker's tsx cache, temporary files) goes to an emptyDir on /tmp.
        expect(envOf(container, 'TMPDIR')?.value).toBe('/tmp');
        const tmp = container.volumeMounts.find((m: Doc) => m.mountPath === '/tmp');
        expect(pod.volumes.find((v: Doc) => v.name === tmp?.name)?.emptyDir).toBeDefined();
        expect(container.image).toMatch(/^[^:]+:(?!latest$)[\w.-]+$/);
      }
    });
  });

  it('scales the API with an HPA between 2 and 4 replicas', () => {
    const hpa = find('HorizontalPodAutoscaler', 'configuration-api');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'configuration-api' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 4]);
    expect(api.spec.replicas).toBe(hpa.spec.minReplicas);
    expect(apiContainer.resources.requests.cpu).toBeDefined(); // what CPU utilisation is measured against
  });

  it('keeps at least one API pod through voluntary disruptions', () => {
    const pdb = find('PodDisruptionBudget', 'configuration-api');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(matches(pdb.spec.selector.matchLabels, apiPodLabels)).toBe(true);
  });

  it('routes the Service and the Ingress to the API pods, with WebSocket/SSE timeouts and no buffering', () => {
    const service = find('Service', 'configuration-api');
    expect(matches(service.spec.selector, apiPodLabels)).toBe(true);
    expect(matches(api.spec.selector.matchLabels, apiPodLabels)).toBe(true);
    const port = service.spec.ports.find((p: Doc) => p.name === 'http');
    expect(apiContainer.ports.map((p: Doc) => p.name)).toContain(port.targetPort);

    const ingress = find('Ingress', 'configuration-api');
    const backends = ingress.spec.rules.flatMap((r: Doc) => r.http.paths.map((p: Doc) => p.backend.service));
    expect(backends).toEqual([{ name: 'configuration-api', port: { name: 'http' } }]);
    const annotation = (name: string) => ingress.metadata.annotations[`nginx.ingress.kubernetes.io/${name}`];
    expect(Number(annotation('proxy-read-timeout'))).toBeGreaterThanOrEqual(3600);
    expect(Number(annotation('proxy-send-timeout'))).toBeGreaterThanOrEqual(3600);
    expect(annotation('proxy-buffering')).toBe('off');
    expect(ingress.spec.tls[0].hosts).toEqual(ingress.spec.rules.map((r: Doc) => r.host));
  });

  it('migrates in a Job as the owner role, never with the app role', () => {
    const container = podSpecOf(migrate).containers[0] as Doc;
    expect(container.command).toEqual(['node', 'dist/scripts/migrate.js']);
    const owner = { name: 'configuration-platform-db-owner', key: 'url' };
    expect(envOf(container, 'MIGRATION_DATABASE_URL')?.valueFrom.secretKeyRef).toEqual(owner);
    // scripts/migrate.ts reads DATABASE_URL today: the same owner Secret.
    expect(envOf(container, 'DATABASE_URL')?.valueFrom.secretKeyRef).toEqual(owner);
    expect(secretRefs(migrate).map((r: { name: string }) => r.name)).not.toContain('configuration-platform-db-app');
    expect(podSpecOf(migrate).restartPolicy).toBe('Never');
  });

  it('runs the reference paper worker as its own single Deployment against the Service, with a token from a Secret', () => {
    expect(paperWorker.spec.replicas).toBe(1);
    expect(paperWorker.spec.strategy.type).toBe('Recreate');
    const container = podSpecOf(paperWorker).containers[0] as Doc;
    expect(container.command).toEqual(['node', '--import', 'tsx', 'runtime-agent/paper-worker/main.ts']);
    expect(envOf(container, 'UCP_URL')?.value).toBe('http://configuration-api.platform.svc.cluster.local');
    expect(envOf(container, 'UCP_TOKEN')?.valueFrom.secretKeyRef).toEqual({ name: 'reference-paper-worker-token', key: 'token' });
    expect(secretRefs(paperWorker).map((r: { name: string }) => r.name)).toEqual(['reference-paper-worker-token']);
  });

  it('declares every Secret key the workloads read, with placeholder values only', () => {
    const secrets = new Map(ofKind('Secret').map((s) => [s.metadata.name as string, s]));
    for (const workload of workloads) {
      for (const ref of secretRefs(workload)) {
        expect(secrets.get(ref.name)?.stringData?.[ref.key], `${workload.metadata.name}: ${ref.env} ← ${ref.name}/${ref.key}`).toBeDefined();
      }
    }
    for (const secret of secrets.values()) {
      expect(secret.data, `${secret.metadata.name} uses stringData placeholders, no encoded data`).toBeUndefined();
      for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) {
        expect(value, `${secret.metadata.name}/${key} is a placeholder`).toContain('REPLACE_ME');
      }
    }
  });

  it('gives every NetworkPolicy pods to govern', () => {
    const podLabels = workloads.map((w) => w.spec.template.metadata.labels as Record<string, string>);
    for (const policy of ofKind('NetworkPolicy')) {
      expect(podLabels.some((labels) => matches(policy.spec.podSelector.matchLabels, labels)), policy.metadata.name).toBe(true);
    }
  });
});

// ---------------------------------------------------------------- Dockerfile
// Base images cannot be pulled here, so the Dockerfile is parsed, not built.

interface Instruction { keyword: string; args: string }
interface Stage { name: string; base: string; instructions: Instruction[] }

function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: rest };
    if (instruction.keyword === 'FROM') {
      const [, base = '', name = String(stages.length)] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest) ?? [];
      stages.push({ name, base, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.stages.at(-1) as Stage;
const stageNamed = (name: string) => dockerfile.stages.find((s) => s.name === name);
const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const copies = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'COPY').map((i) => {
  const words = i.args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) as string };
});

describe('Dockerfile', () => {
  it('builds in stages and runs the last one as a non-root user', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    const users = runtime.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('pins its base images', () => {
    const defaults = new Map(dockerfile.args.filter((a) => a.keyword === 'ARG').map((a) => a.args.split('=') as [string, string]));
    for (const stage of dockerfile.stages) {
      const base = stage.base.replace(/^\$\{(\w+)\}$/, (_, name: string) => defaults.get(name) ?? stage.base);
      if (stageNamed(base)) continue;
      expect(base, stage.name).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*$/);
    }
  });

  it('ships production dependencies only', () => {
    // Either installed in the runtime stage with --omit=dev, or copied from a stage that did.
    for (const command of runs(runtime).filter((r) => /\bnpm (ci|install|i)\b/.test(r))) expect(command).toContain('--omit=dev');
    const nodeModules = copies(runtime).filter((c) => c.sources.some((s) => s.includes('node_modules')));
    expect(nodeModules.length).toBe(1);
    const source = stageNamed(nodeModules[0]?.from ?? '') as Stage;
    const installs = runs(source).filter((r) => /\bnpm (ci|install|i)\b/.test(r));
    expect(installs.length).toBeGreaterThan(0);
    for (const command of installs) expect(command).toContain('--omit=dev');
    expect(runtime.instructions.some((i) => /\bnpm (ci|install|i)\b/.test(i.args) && !i.args.includes('--omit=dev'))).toBe(false);
  });

  it('bakes no secret in and keeps local state out of the build context', () => {
    for (const i of [...dockerfile.args, ...dockerfile.stages.flatMap((s) => s.instructions)].filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')) {
      expect(i.args, `${i.keyword} ${i.args}`).not.toMatch(/PASSWORD|SECRET|TOKEN|DATABASE_URL|API_KEY/i);
    }
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.env', '.env.*', 'node_modules', 'data', '.git']) expect(ignored).toContain(entry);
  });

  it('starts the same command as the API Deployment', () => {
    const cmd = runtime.instructions.filter((i) => i.keyword === 'CMD').at(-1);
    expect(JSON.parse(cmd?.args ?? 'null')).toEqual(apiContainer.command);
  });

  it('copies everything the API, the migration and the paper worker import, and they import production dependencies only', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const shipped = copies(runtime).flatMap((c) => (c.from && c.from !== 'build' ? [] : c.sources.map((s) => s.replace(/^\.\//, '').replace(/^\/app\//, '').replace(/\/$/, ''))));
    const entries = [apiContainer.command, podSpecOf(migrate).containers[0].command, podSpecOf(paperWorker).containers[0].command].map((c: string[]) => c.at(-1) as string);
    // The API and the migration run compiled (dist/<file>.js, built in the build stage by
    // tsconfig.build.json from <file>.ts): their graph is walked in the sources, and each
    // file they reach must be in the image as its compiled file; the paper worker ships as source.
    expect(runs(stageNamed('build') as Stage).some((r) => r.includes('npm run build:server'))).toBe(true);
    const sourceOf = (entry: string) => entry.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    const inImage = (file: string, compiled: boolean) => (compiled ? `dist/${file.replace(/\.ts$/, '.js')}` : file);
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = entries.map((entry) => ({ file: sourceOf(entry), compiled: entry.startsWith('dist/') }));
    while (queue.length) {
      const { file, compiled } = queue.pop()!;
      if (seen.has(inImage(file, compiled))) continue;
      seen.add(inImage(file, compiled));
      for (const { specifier, target } of importsOf(file)) {
        if (target) queue.push({ file: target, compiled });
        else if (!specifier.startsWith('node:')) packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0] as string);
      }
    }
    const notShipped = [...seen].filter((file) => !shipped.some((dir) => file === dir || file.startsWith(`${dir}/`)));
    expect(notShipped).toEqual([]);
    expect([...packages].filter((name) => !(name in pkg.dependencies)).sort()).toEqual([]);
    expect(seen.size).toBeGreaterThan(100);
  });
});
