import { ClusterView, Located, containersOf, describeObject, mapSelects, podTemplate, quoted } from '../context';

/**
 * Every reference between objects resolves: Service → the pods of one process (FC-REF-001),
 * pod → ServiceAccount (FC-REF-002), pod → declared Secrets (FC-REF-003), named ports
 * (FC-REF-004); and the token is mounted only when asked (FC-ID-004).
 */
export function checkReferences(view: ClusterView): void {
  for (const at of view.byKind('Service')) checkService(view, at, view.inNamespace('Deployment', at.doc.metadata.namespace));
  for (const at of view.byKind('ServiceAccount')) checkAccountToken(view, at);
  for (const at of view.all) {
    const pod = podTemplate(at.doc);
    if (!pod) continue;
    checkPodAccount(view, at, pod.spec);
    checkSecretRefs(view, at, pod.spec);
    checkProbePorts(view, at, pod.spec);
  }
}

/** The process a Deployment runs, for grouping tracks: by the values, else by its component label. */
function processKey(view: ClusterView, at: Located): string {
  return view.processOf(at) ?? podTemplate(at.doc)?.metadata.labels?.['app.kubernetes.io/component'] ?? at.doc.metadata.name;
}

function checkService(view: ClusterView, at: Located, deployments: readonly Located[]): void {
  const selector: Record<string, string> | undefined = at.doc.spec?.selector;
  const path = view.processPath(at);
  const where = describeObject(at);
  if (!selector || Object.keys(selector).length === 0) {
    view.report(at, 'FC-REF-001', path, `expected a selector in ${where}, got none; select the process's pods by app.kubernetes.io/name and app.kubernetes.io/component`);
    return;
  }
  const targets = deployments.filter((d) => mapSelects(selector, podTemplate(d.doc)?.metadata.labels));
  const processes = [...new Set(targets.map((d) => processKey(view, d)))];
  if (targets.length === 0) {
    view.report(at, 'FC-REF-001', path, `expected ${where} to select the pods of a Deployment in namespace ${at.doc.metadata.namespace}, got a selector that matches none; fix the selector`);
    return;
  }
  if (processes.length > 1) {
    view.report(at, 'FC-REF-001', path, `expected ${where} to select the pods of one process, got ${processes.length} (${quoted(processes.sort())}); add app.kubernetes.io/component to its selector`);
    return;
  }
  // FC-REF-004: a named targetPort must be a port of every selected container set.
  for (const port of at.doc.spec?.ports ?? []) {
    if (typeof port?.targetPort !== 'string') continue;
    for (const d of targets) {
      const names = containersOf(podTemplate(d.doc)!.spec).flatMap((c) => (c.ports ?? []).map((p: { name?: string }) => p?.name));
      if (!names.includes(port.targetPort)) {
        view.report(at, 'FC-REF-004', path, `expected targetPort '${port.targetPort}' of ${where} to name a container port of ${describeObject(d)}, got none by that name (ports: ${names.length ? quoted(names) : 'none'}); name the port the same on both`);
      }
    }
  }
}

function checkProbePorts(view: ClusterView, at: Located, spec: Record<string, any>): void {
  for (const c of containersOf(spec)) {
    const names: string[] = (c.ports ?? []).map((p: { name?: string }) => p?.name).filter(Boolean);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const handler = c[probe]?.httpGet ?? c[probe]?.tcpSocket;
      if (typeof handler?.port === 'string' && !names.includes(handler.port)) {
        view.report(at, 'FC-REF-004', view.processPath(at, 'probes'), `expected the ${probe} port '${handler.port}' of container '${c.name}' in ${describeObject(at)} to be one of its ports (${names.length ? quoted(names) : 'none'}), got no such port; probe a port the process serves`);
      }
    }
  }
}

function checkPodAccount(view: ClusterView, at: Located, spec: Record<string, any>): void {
  const name = spec.serviceAccountName ?? spec.serviceAccount ?? 'default';
  const account = view.inNamespace('ServiceAccount', at.doc.metadata.namespace).find((a) => a.doc.metadata.name === name);
  if (!account) {
    view.report(at, 'FC-REF-002', view.processPath(at), `expected ServiceAccount '${name}' of ${describeObject(at)} to be rendered in namespace ${at.doc.metadata.namespace}, got none; run pods as the service's own ServiceAccount`);
    return;
  }
  // FC-ID-004: explicit, and the same as the account's.
  const own = spec.automountServiceAccountToken;
  const asked = at.file.service.serviceAccount.automountToken;
  if (typeof own !== 'boolean') {
    view.report(at, 'FC-ID-004', view.processPath(at), `expected automountServiceAccountToken: ${asked} on the pods of ${describeObject(at)}, got none (Kubernetes mounts a token by default); set it explicitly`);
  } else if (own && !asked) {
    view.report(at, 'FC-ID-004', 'automountServiceAccountToken', `expected no Kubernetes API token in the pods of ${describeObject(at)}, got automountServiceAccountToken: true although the service does not ask for it; remove it, or set automountServiceAccountToken: true in the values if the service calls the Kubernetes API`);
  }
}

function checkAccountToken(view: ClusterView, at: Located): void {
  const own = at.doc.automountServiceAccountToken;
  const asked = at.file.service.serviceAccount.automountToken;
  if (typeof own !== 'boolean') {
    view.report(at, 'FC-ID-004', 'automountServiceAccountToken', `expected automountServiceAccountToken: ${asked} on ${describeObject(at)}, got none (Kubernetes mounts a token by default); set it explicitly`);
  } else if (own && !asked) {
    view.report(at, 'FC-ID-004', 'automountServiceAccountToken', `expected automountServiceAccountToken: false on ${describeObject(at)}, got true although the service does not ask for it; set automountServiceAccountToken: true in the values only if the service calls the Kubernetes API`);
  }
}

const declared = new WeakMap<Located['file'], Set<string>>();

/** The Secrets a service declares in its values (secrets: { NAME: { secret, key } }). */
function declaredSecrets(at: Located): Set<string> {
  const cached = declared.get(at.file);
  if (cached) return cached;
  const names = new Set<string>();
  declared.set(at.file, names);
  for (const process of at.file.service.processes) {
    for (const e of process.container.env) if ('secret' in e) names.add(e.secret);
    for (const d of process.container.secretFiles) for (const f of d.files) names.add(f.secret);
  }
  return names;
}

function checkSecretRefs(view: ClusterView, at: Located, spec: Record<string, any>): void {
  const declared = declaredSecrets(at);
  const where = describeObject(at);
  const path = view.processPath(at, 'secrets');
  const check = (name: unknown, optional: unknown, what: string) => {
    if (optional === true) view.report(at, 'FC-REF-003', path, `expected a required Secret reference for ${what} in ${where}, got optional: true, which starts pods without it; remove optional`);
    if (typeof name === 'string' && !declared.has(name)) {
      view.report(at, 'FC-REF-003', path, `expected Secret '${name}' (${what} in ${where}) to be declared in the service's secrets, got an undeclared reference; declared: ${declared.size ? quoted([...declared].sort()) : 'none'}`);
    }
  };
  for (const c of containersOf(spec)) {
    for (const e of c.env ?? []) {
      const ref = e?.valueFrom?.secretKeyRef;
      if (ref) check(ref.name, ref.optional, `variable '${e.name}'`);
    }
    for (const source of c.envFrom ?? []) if (source?.secretRef) check(source.secretRef.name, source.secretRef.optional, `envFrom of container '${c.name}'`);
  }
  for (const volume of spec.volumes ?? []) {
    if (volume?.secret) check(volume.secret.secretName, volume.secret.optional, `volume '${volume.name}'`);
    for (const source of volume?.projected?.sources ?? []) if (source?.secret) check(source.secret.name, source.secret.optional, `volume '${volume.name}'`);
  }
}
