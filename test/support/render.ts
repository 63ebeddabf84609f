import assert from 'node:assert/strict';
import type { Cluster } from '../../lib/clusters/schema';
import { renderService } from '../../lib/constructs/service-chart';
import { Manifest, manifestFile, orderDocuments } from '../../lib/manifest';
import type { RenderedFile } from '../../lib/pipeline';
import { ParsedWithOverrides, Resolution, resolveService } from '../../lib/values/resolve';
import { serviceSchema } from '../../lib/values/schema';
import { GKE_PROD } from './clusters';

/** Minimal valid values for a service; tests spread what they care about over it. */
export function baseValues(name = 'patient-notes'): Record<string, unknown> {
  return {
    name,
    team: 'care-records',
    image: `europe-docker.pkg.dev/acme-care/apps/${name}`,
    release: { default: '2026.11.3@sha256:17415f8b71bd5138e7885c7c56844a000f19d24d7df09baab935a9b2f4c934a9' },
    processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 3 } },
  };
}

export function resolveValues(values: Record<string, unknown>, cluster: Cluster = GKE_PROD): Resolution {
  const parsed = serviceSchema.parse(values) as ParsedWithOverrides;
  return resolveService(`apps/${parsed.name}/values.ts`, parsed, cluster);
}

/** Resolves and renders one service; fails the test on any error (warnings render, as in synth). */
export function renderValues(values: Record<string, unknown>, cluster: Cluster = GKE_PROD): RenderedFile {
  const { service, findings } = resolveValues(values, cluster);
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), []);
  const documents = orderDocuments(renderService(service!) as Manifest[]);
  return { path: `${cluster.name}/${service!.name}.k8s.yaml`, cluster: cluster.name, app: service!.name, documents, content: manifestFile(documents), service: service! };
}

/** Documents of a rendered file by `Kind/name`. */
export function byName(file: RenderedFile): Map<string, any> {
  return new Map(file.documents.map((d) => [`${d.kind}/${d.metadata.name}`, d]));
}
