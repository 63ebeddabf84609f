import { LABEL, MANAGED_BY } from '../../values/labels';
import { RULES } from '../catalog';
import { ClusterView, Located, WAIVER_PREFIX, containersOf, describeObject, podTemplate } from '../context';

/**
 * Object identity: names and labels the API server accepts (FC-META-001), the standard labels
 * (FC-META-002), one object per name (FC-META-003), service namespaces that are not the
 * platform's (FC-NS-001), and waivers only of waivable rules (FC-WAIVE-001).
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Kinds whose names must be DNS-1123 labels (they become DNS names or pod name prefixes). */
const LABEL_NAMED = new Set(['Namespace', 'Service']);

const RESERVED_NAMESPACES = new Set(['default', 'monitoring', 'cert-manager', 'gatekeeper-system', 'calico-system', 'tigera-operator', 'gke-managed-system', 'gmp-system', 'gmp-public', 'azure-workload-identity-system', 'amazon-cloudwatch']);
const RESERVED_PREFIXES = ['kube-', 'istio-', 'aks-istio-', 'gke-', 'openshift-'];

export function checkMetadata(view: ClusterView): void {
  const seen = new Map<string, Located>();
  for (const at of view.all) {
    checkNames(view, at);
    checkStandardLabels(view, at);
    const apiVersion = String(at.doc.apiVersion);
    const group = apiVersion.slice(0, Math.max(0, apiVersion.lastIndexOf('/')));
    const key = `${group}\u0000${at.doc.kind}\u0000${at.doc.metadata.namespace ?? ''}\u0000${at.doc.metadata.name}`;
    const first = seen.get(key);
    if (first) {
      view.report(at, 'FC-META-003', view.processPath(at), `expected one ${describeObject(at)}${at.doc.metadata.namespace ? ` in namespace ${at.doc.metadata.namespace}` : ''} on cluster ${view.cluster.name}, got another from ${first.file.service.file}; rename one`);
    } else {
      seen.set(key, at);
    }
  }
  for (const at of view.byKind('Namespace')) {
    checkReservedNamespace(view, at);
    checkWaivers(view, at);
  }
}

function checkNames(view: ClusterView, at: Located): void {
  const path = view.processPath(at);
  const where = describeObject(at);
  const name = at.doc.metadata.name;
  const pattern = at.doc.kind === 'Service' ? DNS_1035_LABEL : LABEL_NAMED.has(at.doc.kind) ? DNS_LABEL : DNS_SUBDOMAIN;
  const max = LABEL_NAMED.has(at.doc.kind) ? 63 : 253;
  if (typeof name !== 'string' || name.length > max || !pattern.test(name)) {
    view.report(at, 'FC-META-001', path || 'name', `expected a ${at.doc.kind} name of at most ${max} lowercase letters, digits and '-'${max === 253 ? " or '.'" : ''}, got '${name}' in ${where}; shorten the service or process name`);
  }
  const namespace = at.doc.metadata.namespace;
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    view.report(at, 'FC-META-001', 'name', `expected a namespace name of at most 63 lowercase letters, digits and '-', got '${namespace}' in ${where}; rename the service`);
  }
  const reported = new Set<string>();
  checkLabels(view, at, path, at.doc.metadata.labels, where, reported);
  checkAnnotations(view, at, path, at.doc.metadata.annotations, where);
  checkLabels(view, at, path, at.doc.spec?.selector?.matchLabels ?? (at.doc.kind === 'Service' ? at.doc.spec?.selector : undefined), `${where} selector`, reported);
  const pod = podTemplate(at.doc);
  if (!pod) return;
  checkLabels(view, at, path, pod.metadata.labels, `${where} pod template`, reported);
  checkAnnotations(view, at, path, pod.metadata.annotations, `${where} pods`);
  for (const c of containersOf(pod.spec)) {
    if (typeof c.name === 'string' && (c.name.length > 63 || !DNS_LABEL.test(c.name))) {
      view.report(at, 'FC-META-001', path, `expected a container name of at most 63 lowercase letters, digits and '-', got '${c.name}' in ${where}; rename the process`);
    }
    for (const port of c.ports ?? []) {
      if (port?.name !== undefined && (port.name.length > 15 || !PORT_NAME.test(port.name))) {
        view.report(at, 'FC-META-001', path ? `${path}.ports` : '', `expected a port name of at most 15 lowercase letters, digits and '-' with a letter, got '${port.name}' in ${where}; rename the port`);
      }
    }
  }
}

function checkLabels(view: ClusterView, at: Located, path: string, labels: Record<string, unknown> | undefined, where: string, reported?: Set<string>): void {
  if (!labels || typeof labels !== 'object') return;
  let badValues: Map<string, string[]> | undefined;
  for (const key in labels) {
    const value = labels[key];
    if (!validKey(key)) {
      view.report(at, 'FC-META-001', path, `expected a label key like 'team' or 'app.kubernetes.io/name' (name of at most 63 characters, optional DNS prefix), got '${key}' in ${where}; rename it`);
    }
    if (typeof value === 'string' && !validValue(value) && !reported?.has(value)) {
      badValues ??= new Map();
      badValues.set(value, [...(badValues.get(value) ?? []), key]);
    }
  }
  if (!badValues) return;
  // One line per bad value and object: the version lands in several labels of a Deployment and its pods.
  for (const [value, keys] of badValues) {
    reported?.add(value);
    const version = keys.every((k) => k === LABEL.version || k === LABEL.istioVersion);
    const hint = version ? 'use a release version that starts and ends with a letter or digit' : "use at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends";
    view.report(at, 'FC-META-001', path, `expected a valid label value for ${keys.join(', ')} in ${where}, got '${value}'; ${hint}`);
  }
}

function checkAnnotations(view: ClusterView, at: Located, path: string, annotations: Record<string, unknown> | undefined, where: string): void {
  if (!annotations || typeof annotations !== 'object') return;
  let chars = 0;
  for (const key in annotations) {
    chars += key.length + String(annotations[key]).length;
    if (!validKey(key)) view.report(at, 'FC-META-001', path, `expected an annotation key like 'example.com/name', got '${key}' in ${where}; rename it`);
  }
  // A UTF-16 unit is at most 3 bytes of UTF-8: count bytes only when it could matter.
  const bytes = chars * 3 <= ANNOTATIONS_MAX_BYTES ? chars : Object.entries(annotations).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (bytes > ANNOTATIONS_MAX_BYTES) view.report(at, 'FC-META-001', path, `expected annotations of at most 256 KiB in ${where}, got ${bytes} bytes; shorten the waiver reasons`);
}

/** Label keys and values seen valid: fleets repeat the same few thousand strings. */
const validKeys = new Set<string>();
const validValues = new Set<string>();

function validValue(value: string): boolean {
  if (validValues.has(value)) return true;
  const ok = value.length <= 63 && LABEL_VALUE.test(value);
  if (ok) validValues.add(value);
  return ok;
}

function validKey(key: string): boolean {
  if (validKeys.has(key)) return true;
  const ok = checkKey(key);
  if (ok) validKeys.add(key);
  return ok;
}

function checkKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

const STANDARD = [LABEL.name, LABEL.instance, LABEL.partOf, LABEL.managedBy, LABEL.team];
const POD = [...STANDARD, LABEL.component, LABEL.version, LABEL.istioApp, LABEL.istioVersion];

function missing(labels: Record<string, string> | undefined, keys: readonly string[]): string[] {
  let out: string[] | undefined;
  for (const key of keys) if (!labels?.[key]) (out ??= []).push(key);
  return out ?? NO_KEYS;
}
const NO_KEYS: string[] = [];

function checkStandardLabels(view: ClusterView, at: Located): void {
  const path = view.processPath(at);
  const where = describeObject(at);
  const own = missing(at.doc.metadata.labels, STANDARD);
  if (own.length) view.report(at, 'FC-META-002', path, `expected labels ${own.join(', ')} on ${where}, got none; every object carries the standard labels`);
  const managedBy = at.doc.metadata.labels?.[LABEL.managedBy];
  if (managedBy !== undefined && managedBy !== MANAGED_BY) view.report(at, 'FC-META-002', path, `expected ${LABEL.managedBy}: ${MANAGED_BY} on ${where}, got '${managedBy}'; fleetchart owns this object`);
  const pod = podTemplate(at.doc);
  if (!pod) return;
  const podMissing = missing(pod.metadata.labels, POD);
  if (podMissing.length) view.report(at, 'FC-META-002', path, `expected pod labels ${podMissing.join(', ')} in ${where}, got none; Istio and dashboards group pods by them`);
}

function checkReservedNamespace(view: ClusterView, at: Located): void {
  const name = at.doc.metadata.name;
  const platform = new Set([view.cluster.monitoringNamespace, view.cluster.ingress.gateway.split('/')[0], view.cluster.ingress.serviceAccount.split('/')[0]]);
  if (RESERVED_NAMESPACES.has(name) || platform.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) {
    view.report(at, 'FC-NS-001', 'name', `expected a service name that is not a system or platform namespace, got '${name}', which cluster ${view.cluster.name} reserves; rename the service and its folder`);
  }
}

function checkWaivers(view: ClusterView, at: Located): void {
  const annotations: Record<string, string> = at.doc.metadata.annotations ?? {};
  for (const key of Object.keys(annotations)) {
    if (!key.startsWith(WAIVER_PREFIX)) continue;
    const id = key.slice(WAIVER_PREFIX.length);
    const rule = RULES.find((r) => r.id === id);
    if (!rule) {
      view.report(at, 'FC-WAIVE-001', `waivers['${id}']`, `expected a known rule id, got '${id}'; see lib/validate/RULES.md`);
    } else if (!rule.waivable) {
      view.report(at, 'FC-WAIVE-001', `waivers['${id}']`, `expected a waivable rule, got ${id}, which cannot be waived: ${rule.summary} Fix the values instead and remove the waiver`);
    }
  }
}
