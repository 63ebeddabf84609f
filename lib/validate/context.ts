import type { Cluster } from '../clusters/schema';
import type { Finding } from '../findings';
import type { Manifest } from '../manifest';
import type { RenderedFile } from '../pipeline';
import { RuleId, ruleInfo } from './catalog';

const NONE: readonly Located[] = [];

/** The annotation prefix that carries a service's waivers onto its objects. */
export const WAIVER_PREFIX = 'waiver.fleetchart.io/';

/** A rendered object as the rules read it: typed identity, the rest as plain data. */
export interface Doc {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [field: string]: any;
}

/** A rendered object and the service file it belongs to. */
export interface Located {
  readonly doc: Doc;
  readonly file: RenderedFile;
}

/**
 * Everything a document rule sees: the cluster, every object rendered for it, indexes by kind and
 * namespace, and `report`, which applies waivers and turns a problem into a finding that points
 * at the values file.
 */
export class ClusterView {
  readonly all: Located[] = [];
  private readonly kinds = new Map<string, Located[]>();
  /** kind → namespace → objects, in rendering order: rules look objects up per namespace. */
  private readonly namespaced = new Map<string, Map<string | undefined, Located[]>>();
  private readonly processNames = new Map<RenderedFile, Map<string, string>>();
  private readonly waivers = new Map<RenderedFile, Record<string, string>>();
  readonly findings: Finding[] = [];

  /** Services of the fleet this run did not render (not selected): references to them are not checked. */
  readonly unrendered: ReadonlySet<string>;
  /** Kind → objects of the other services from the fleet index (`--app` runs), for cross-service rules. */
  private readonly contextKinds = new Map<string, Located[]>();
  private readonly contextFiles: ReadonlySet<RenderedFile>;

  constructor(
    readonly cluster: Cluster,
    readonly files: readonly RenderedFile[],
    fleet: readonly string[] = [],
    /** The other services of the fleet, as the fleet index holds them: read, never reported on. */
    readonly context: readonly RenderedFile[] = [],
  ) {
    const rendered = new Set(files.map((f) => f.service.name));
    this.unrendered = new Set(fleet.filter((name) => !rendered.has(name)));
    this.contextFiles = new Set(context);
    for (const file of context) {
      for (const doc of file.documents) {
        let list = this.contextKinds.get(doc.kind);
        if (!list) this.contextKinds.set(doc.kind, (list = []));
        list.push({ doc: doc as Doc, file });
      }
    }
    for (const file of files) {
      for (const doc of file.documents) {
        const located = { doc: doc as Doc, file };
        this.all.push(located);
        let list = this.kinds.get(doc.kind);
        if (!list) this.kinds.set(doc.kind, (list = []));
        list.push(located);
        let byNamespace = this.namespaced.get(doc.kind);
        if (!byNamespace) this.namespaced.set(doc.kind, (byNamespace = new Map()));
        let inNamespace = byNamespace.get(doc.metadata.namespace);
        if (!inNamespace) byNamespace.set(doc.metadata.namespace, (inNamespace = []));
        inNamespace.push(located);
      }
    }
  }

  byKind(kind: string): readonly Located[] {
    return this.kinds.get(kind) ?? [];
  }

  /** Objects of a kind of every service on the cluster: rendered ones and, in `--app` runs, the fleet index's. */
  fleetByKind(kind: string): readonly Located[] {
    const others = this.contextKinds.get(kind);
    return others ? [...this.byKind(kind), ...others] : this.byKind(kind);
  }

  /** Every service's file on the cluster: rendered ones and, in `--app` runs, the fleet index's. */
  get fleetFiles(): readonly RenderedFile[] {
    return this.context.length ? [...this.files, ...this.context] : this.files;
  }

  /** Objects of a kind in one namespace. */
  inNamespace(kind: string, namespace: string | undefined): readonly Located[] {
    return this.namespaced.get(kind)?.get(namespace) ?? NONE;
  }

  get prod(): boolean {
    return this.cluster.environment === 'prod';
  }

  /** The values path of the process an object belongs to (`processes.web`), or '' if none. */
  processPath(at: Located, ...rest: string[]): string {
    const process = this.processOf(at);
    return process === undefined ? '' : [`processes.${/^[A-Za-z_][A-Za-z0-9_-]*$/.test(process) ? process : `['${process}']`}`, ...rest].join('.');
  }

  /** The process (as named in the values) that rendered an object, by the object's name. */
  processOf(at: Located): string | undefined {
    let names = this.processNames.get(at.file);
    if (!names) {
      names = new Map();
      for (const process of at.file.service.processes) {
        names.set(process.fullName, process.name);
        for (const deployment of process.deployments) names.set(deployment.deploymentName, process.name);
      }
      this.processNames.set(at.file, names);
    }
    return names.get(at.doc.metadata.name);
  }

  /** Rule id → reason from the service's Namespace and the object's own waiver annotations. */
  waiversOf(at: Located): Record<string, string> {
    let fromNamespace = this.waivers.get(at.file);
    if (!fromNamespace) {
      fromNamespace = {};
      for (const doc of at.file.documents) if (doc.kind === 'Namespace') Object.assign(fromNamespace, waiverAnnotations(doc));
      this.waivers.set(at.file, fromNamespace);
    }
    const own = waiverAnnotations(at.doc);
    return own ? { ...fromNamespace, ...own } : fromNamespace;
  }

  /** Records a finding unless the rule is waivable and the service waived it. */
  report(at: Located, rule: RuleId, path: string, message: string): void {
    // Another service's problem: its own run reports it.
    if (this.contextFiles.has(at.file)) return;
    const info = ruleInfo(rule);
    if (info.waivable && this.waiversOf(at)[rule] !== undefined) return;
    this.findings.push({ file: at.file.service.file, path, message, rule, severity: info.severity, cluster: this.cluster.name });
  }
}

function waiverAnnotations(doc: Manifest | Doc): Record<string, string> | undefined {
  const annotations = (doc.metadata as Doc['metadata']).annotations;
  if (!annotations) return undefined;
  let out: Record<string, string> | undefined;
  for (const key in annotations) {
    if (key.startsWith(WAIVER_PREFIX)) (out ??= {})[key.slice(WAIVER_PREFIX.length)] = annotations[key];
  }
  return out;
}

/** `Deployment patient-notes-web`, for messages. */
export function describeObject(at: Located): string {
  return `${at.doc.kind} ${at.doc.metadata.name}`;
}

export interface PodTemplate {
  readonly metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly spec: Record<string, any>;
}

/** The pod template of a workload object, if it has one. */
export function podTemplate(doc: Located['doc']): PodTemplate | undefined {
  const template = doc.spec?.template;
  if (!template || typeof template !== 'object' || !template.spec) return undefined;
  return { metadata: template.metadata ?? {}, spec: template.spec };
}

/** Every container of a pod spec, init and ephemeral containers included. */
export function containersOf(spec: Record<string, any>): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    if (Array.isArray(spec[key])) for (const c of spec[key]) if (c && typeof c === 'object') out.push(c);
  }
  return out;
}

/** Whether a label selector (matchLabels and matchExpressions) selects the given labels. */
export function selects(selector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const have = labels ?? {};
  const matchLabels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  for (const key in matchLabels) if (have[key] !== matchLabels[key]) return false;
  for (const e of expressions) {
    const value = have[e.key];
    switch (e.operator) {
      case 'In':
        if (value === undefined || !(e.values ?? []).includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && (e.values ?? []).includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether a plain label map (a Service selector, a subset's labels) selects the given labels. */
export function mapSelects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const have = labels ?? {};
  for (const key in selector) if (have[key] !== selector[key]) return false;
  return true;
}

/** Deployment replicas as the API server defaults them. */
export function replicasOf(doc: Located['doc']): number {
  const replicas = doc.spec?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** Whether any container of a pod serves a port. */
export function serves(spec: Record<string, any>): boolean {
  return containersOf(spec).some((c) => Array.isArray(c.ports) && c.ports.length > 0);
}

/** `'`-quoted list for messages. */
export function quoted(values: readonly unknown[]): string {
  return values.map((v) => `'${String(v)}'`).join(', ');
}
