import assert from 'node:assert/strict';
import type { RenderedFile } from '../../lib/pipeline';
import { routeVersions } from '../../lib/values/release';
import { HTTP_PROTOCOLS } from '../../lib/values/traffic';
import { routeRequest } from './envoy-routing';
import { byName } from './render';
import { requestGrid, requestsOn } from './routing-grid';

/** Every request of the grid reaches, on every entry point, exactly the version the model says; returns the number checked. */
export function assertRoutingAgrees(file: RenderedFile): number {
  const service = file.service;
  const docs = byName(file);
  let checked = 0;
  const seen = new Set<string>();
  for (const request of requestGrid(service)) {
    for (const expected of routeVersions(service, request.who)) {
      const process = service.processes.find((p) => p.name === expected.process)!;
      const vs = expected.via === 'mesh'
        ? docs.get(`VirtualService/${process.fullName}`)
        : docs.get(`VirtualService/${service.traffic.routes.find((r) => r.host === expected.host && r.paths.includes(expected.path!))!.objectName}`);
      // Mesh calls go to each HTTP port of the process's Service; ingress routes name theirs.
      const ports = expected.via === 'mesh' ? process.ports.filter((p) => HTTP_PROTOCOLS.includes(p.protocol)).map((p) => p.port) : [undefined];
      for (const http of ports.flatMap((port) => requestsOn(expected.path, request).map((r) => ({ ...r, port })))) {
        const hit = routeRequest(vs, http);
        const where = `${file.path} ${expected.via} ${expected.host}${http.port ? `:${http.port}` : ''}${http.path} ${JSON.stringify(request.headers)}`;
        assert.ok(hit, `no route matched: ${where}`);
        assert.equal(hit.destinations.length, 1, `one destination, never a random split: ${where}`);
        if (http.port !== undefined && hit.destinations[0].port !== undefined) assert.equal(hit.destinations[0].port, http.port, `${where}: the port called`);
        assert.equal(hit.destinations[0].subset, expected.subset, `${where}: expected ${expected.version} (${expected.why}), got route ${hit.name}`);
        if (expected.subset !== undefined && !seen.has(`${expected.process} ${expected.subset}`)) {
          seen.add(`${expected.process} ${expected.subset}`);
          // The subset selects running pods of exactly that version.
          const subset = docs.get(`DestinationRule/${process.fullName}`).spec.subsets.find((s: any) => s.name === expected.subset);
          const pods = process.deployments.filter((d) => Object.entries(subset.labels).every(([k, v]) => d.podLabels[k] === v));
          assert.ok(pods.length > 0 && pods.every((d) => d.version === expected.version) && pods.some((d) => d.replicas > 0), `${where}: subset ${expected.subset} runs ${expected.version}`);
        }
        checked++;
      }
    }
  }
  return checked;
}

