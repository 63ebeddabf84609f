import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ApplyReport, applyCluster } from '../../lib/apply/apply';
import { LiveObject, displayName, itemsOf, objectKey, refOf } from '../../lib/apply/objects';
import type { Manifest } from '../../lib/manifest';
import type { FleetResult } from '../../lib/pipeline';
import { externalReferences } from '../../lib/apply/references';
import { REPO, runCli } from '../support/fleet';
import type { Envtest } from './envtest';

/** Every kind fleetchart renders, for listing what is in the cluster. */
export const FLEET_RESOURCES = [
  'namespaces',
  'serviceaccounts',
  'services',
  'deployments.apps',
  'poddisruptionbudgets.policy',
  'horizontalpodautoscalers.autoscaling',
  'networkpolicies.networking.k8s.io',
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
  'requestauthentications.security.istio.io',
  'envoyfilters.networking.istio.io',
  'destinationrules.networking.istio.io',
  'virtualservices.networking.istio.io',
  'serviceentries.networking.istio.io',
  'servicemonitors.monitoring.coreos.com',
  'podmonitors.monitoring.coreos.com',
  'prometheusrules.monitoring.coreos.com',
  'configmaps',
].join(',');

/** Every object a render produced for its clusters: the platform files' and the services'. */
export function clusterDocuments(result: Pick<FleetResult, 'platform' | 'files'>): Manifest[] {
  return [...result.platform, ...result.files].flatMap((f) => f.documents);
}

/** The documents of every `*.k8s.yaml` file in a folder (one cluster's charts-out). */
export function readOutput(dir: string): Manifest[] {
  const docs: Manifest[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort()) {
    docs.push(...documentsOf(fs.readFileSync(path.join(dir, file), 'utf8')));
  }
  return docs;
}

export function documentsOf(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Manifest | null)
    .filter((d): d is Manifest => d !== null);
}

/** fleetchart's own apply (the library behind `fleetchart apply`) against an envtest. */
export function applyDocuments(env: Envtest, cluster: string, documents: readonly Manifest[], options: { dryRun?: boolean; adopt?: boolean } = {}): Promise<ApplyReport> {
  return applyCluster({ cluster, documents, kubectl: env.kubectl, ...options });
}

/**
 * `fleetchart apply` in-process on a fleet root, against an envtest, as a pipeline runs it:
 * `fleetchart synth` first (on a temporary fleet; the repository's charts-out/ is committed and
 * current), then the apply. Nothing rolls Deployments out here (no controller-manager), so it
 * does not wait unless `--timeout` is given (test/cluster/apply-wait.test.ts drives rollouts).
 * The Secrets and ConfigMaps the output references are provided first, see provideReferences.
 */
export async function cliApply(env: Envtest, root: string, cluster: string, ...extra: string[]) {
  if (path.resolve(root) !== REPO) await runCli(root, ['synth', '--cluster', cluster]);
  const output = path.join(root, 'charts-out', cluster);
  if (fs.existsSync(output)) await provideReferences(env, readOutput(output));
  const wait = extra.some((a) => a.startsWith('--timeout')) ? [] : ['--no-wait'];
  return runCli(root, ['apply', '--cluster', cluster, '--kubeconfig', env.kubeconfig, ...wait, ...extra]);
}

/**
 * What a secret store (e.g. External Secrets) provides in a service's Namespace once it exists:
 * the Secrets and ConfigMaps the output references and does not render. Each is owned by the
 * Deployment that needs it (an ownerReference, as an operator's object would be), so pruning
 * counts it as derived, not as something created by hand.
 */
export async function provideReferences(env: Envtest, documents: readonly Manifest[]): Promise<void> {
  const references = externalReferences(documents).filter((r) => r.ref.kind === 'Secret' || r.ref.kind === 'ConfigMap');
  if (!references.length) return;
  const namespaces = new Set(((await env.getJson(['namespaces'])).items as LiveObject[]).map((n) => n.metadata.name));
  const wanted = references.filter((r) => namespaces.has(r.ref.namespace!));
  if (!wanted.length) return;
  const owners = new Map<string, LiveObject>();
  for (const r of wanted) {
    const user = r.users[0];
    const key = objectKey(user);
    if (!owners.has(key)) {
      const live = await exists(env, { apiVersion: user.apiVersion, kind: user.kind, metadata: { name: user.name, namespace: user.namespace } });
      if (live) owners.set(key, live);
    }
  }
  const objects = wanted
    .filter((r) => owners.has(objectKey(r.users[0])))
    .map((r) => {
      const owner = owners.get(objectKey(r.users[0]))!;
      return {
        apiVersion: 'v1',
        kind: r.ref.kind,
        metadata: {
          name: r.ref.name,
          namespace: r.ref.namespace,
          ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid }],
        },
        data: {},
      };
    });
  if (objects.length) await env.k(['apply', '--server-side', '--field-manager=secret-store', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n---\n'));
}

/** Every object of the fleet's kinds in the cluster (any labels), by identity. */
export async function liveObjects(env: Envtest, selector?: string): Promise<Map<string, LiveObject>> {
  const args = [FLEET_RESOURCES, '--all-namespaces'];
  if (selector) args.push('-l', selector);
  const list = await env.getJson(args);
  return new Map((list.items as LiveObject[]).map((o) => [objectKey(refOf(o)), o]));
}

/** Identity → resourceVersion of every object fleetchart manages: a change anywhere shows. */
export async function versions(env: Envtest): Promise<Map<string, string>> {
  const live = await liveObjects(env, 'app.kubernetes.io/managed-by=fleetchart');
  return new Map([...live].map(([key, o]) => [key, o.metadata.resourceVersion!]));
}

export const keysOf = (documents: readonly Manifest[]) => new Set(documents.map((d) => objectKey(refOf(d))));
export const names = (refs: readonly { apiVersion: string; kind: string; name: string; namespace?: string }[]) => refs.map(displayName).sort();

/**
 * The Pods that each Deployment's ReplicaSet would create, for a server dry run: no
 * controller-manager runs here, so this is how the Pod admission plugins (Pod Security
 * `enforce`, ServiceAccount, Priority) see the pod templates.
 */
export function podsOf(documents: readonly Manifest[]): unknown[] {
  return documents
    .filter((d) => d.kind === 'Deployment')
    .map((d: any) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${d.metadata.name}-admission-check`, namespace: d.metadata.namespace, labels: d.spec.template.metadata?.labels, annotations: d.spec.template.metadata?.annotations },
      spec: d.spec.template.spec,
    }));
}

/** The live object, or undefined when it does not exist. */
export async function exists(env: Envtest, doc: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<LiveObject | undefined> {
  const stub = JSON.stringify({ apiVersion: doc.apiVersion, kind: doc.kind, metadata: { name: doc.metadata.name, namespace: doc.metadata.namespace } });
  const result = await env.kubectl.run(['get', '--ignore-not-found', '-o', 'json', '-f', '-'], { input: stub });
  if (result.code !== 0) throw new Error(result.stderr);
  return itemsOf(result.stdout)[0];
}
