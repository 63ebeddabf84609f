import { ClusterView, Located, containersOf, describeObject, podTemplate } from '../context';

/**
 * What every container needs to run well: probes on serving containers (FC-PROBE-001), requests
 * and a memory limit (FC-RES-001), pinned images (FC-IMG-001).
 */
export function checkWorkloads(view: ClusterView): void {
  for (const at of view.all) {
    const pod = podTemplate(at.doc);
    if (!pod) continue;
    const path = view.processPath(at);
    for (const c of containersOf(pod.spec)) {
      checkProbes(view, at, path, c);
      checkResources(view, at, path, c);
      checkImage(view, at, path, c);
    }
  }
}

function checkProbes(view: ClusterView, at: Located, path: string, c: Record<string, any>): void {
  if (!Array.isArray(c.ports) || c.ports.length === 0) return;
  const missing = ['readinessProbe', 'livenessProbe'].filter((p) => !c[p]);
  if (missing.length) {
    view.report(at, 'FC-PROBE-001', path ? `${path}.probes` : '', `expected ${missing.join(' and ')} on container '${c.name}' in ${describeObject(at)}, which serves ports, got none; set probes.ready and probes.live`);
  }
}

function checkResources(view: ClusterView, at: Located, path: string, c: Record<string, any>): void {
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  const missing = [requests.cpu === undefined && 'requests.cpu', requests.memory === undefined && 'requests.memory', limits.memory === undefined && 'limits.memory'].filter(Boolean);
  if (missing.length) {
    view.report(at, 'FC-RES-001', path, `expected ${missing.join(', ')} on container '${c.name}' in ${describeObject(at)}, got none; set cpu and memory (the memory limit defaults to the request)`);
  }
}

/** `repo[:tag][@digest]` → its parts. */
export function parseImage(image: string): { repository: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { repository: rest, digest };
}

function checkImage(view: ClusterView, at: Located, path: string, c: Record<string, any>): void {
  if (typeof c.image !== 'string') return;
  const { tag, digest } = parseImage(c.image);
  const where = `container '${c.name}' in ${describeObject(at)}`;
  if (digest === undefined && (tag === undefined || tag === 'latest')) {
    view.report(at, 'FC-IMG-001', path, `expected an image pinned by tag or digest for ${where}, got '${c.image}'; set the release version (or the process image) to a version like '2026.11.3' or 'sha256:<digest>'`);
  }
  // FC-IMG-002 (digests in prod) is checked in resolve, at the values path where the version was written.
}
