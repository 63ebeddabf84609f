import * as fs from 'node:fs';
import * as path from 'node:path';
import { aggregateFindings, formatFinding } from '../../findings';
import { INVENTORY_FILE, valuesFile } from '../../load';
import { renderFleet } from '../../pipeline';
import { typeFindings } from '../../values/type-check';
import { Command, progress, reportFindings, selection } from '../command';

export const validate: Command = {
  run(flags, io) {
    progress(io, 'rendering and checking the fleet');
    const result = renderFleet(io.root, selection(flags));
    // The TypeScript compiler's own verdict on the files a team edits (lib/values/type-check.ts): the
    // services the render selected. Only in a fleet repository: elsewhere the missing inventory is
    // the one problem to report.
    const files = fs.existsSync(path.join(io.root, INVENTORY_FILE)) ? [INVENTORY_FILE, ...result.apps.map(valuesFile)] : [];
    const schemaReported = new Set(result.findings.filter((f) => f.path !== '').map((f) => f.file));
    const findings = aggregateFindings([...result.findings, ...typeFindings(io.root, files, schemaReported)]);
    if (flags.json) {
      const ok = !findings.some((f) => f.severity === 'error');
      const listed = findings.map((f) => ({ file: f.file, path: f.path, message: f.message, severity: f.severity, rule: f.rule ?? null, clusters: f.clusters ?? (f.cluster ? [f.cluster] : []), line: formatFinding(f) }));
      io.out(JSON.stringify({ ok, services: result.apps.length, clusters: result.clusters.map((c) => c.name), findings: listed }, null, 2));
      return ok ? 0 : 1;
    }
    if (reportFindings(findings, io, 'see the lines above')) return 1;
    io.out(`ok: ${result.apps.length} services × ${result.clusters.length} clusters, ${result.files.length} manifests checked`);
    return 0;
  },
};
