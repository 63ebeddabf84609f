import { renderFleet } from '../../pipeline';
import type { ResolvedService, RouteStage } from '../../values/model';
import { Command, reportFindings, selection } from '../command';

interface RouteRow {
  readonly cluster: string;
  readonly service: string;
  readonly file: string;
  /** External host and path, or the in-cluster host for mesh callers. */
  readonly host: string;
  readonly path: string;
  readonly via: 'gateway' | 'mesh';
  readonly destination: string;
  readonly stages: readonly { name: RouteStage['name']; rule: string; destinations: RouteStage['destinations'] }[];
}

export const routes: Command = {
  run(flags, io) {
    const result = renderFleet(io.root, selection(flags));
    if (reportFindings(result.findings, io, 'fix them to see the routes')) return 1;
    const rows = result.files.flatMap((f) => routeRows(f.service));
    if (flags.json) {
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    let cluster = '';
    for (const row of rows) {
      if (row.cluster !== cluster) {
        io.out(`${cluster ? '\n' : ''}cluster ${row.cluster}`);
        cluster = row.cluster;
      }
      io.out(`  ${row.host}${row.via === 'gateway' ? row.path : ''}  (${row.via}) → ${row.destination}   [${row.file}]`);
      row.stages.forEach((stage, i) => io.out(`    ${i + 1}. ${stage.rule}`));
    }
    if (rows.length === 0) io.out('no routes');
    return 0;
  },
};

export function routeRows(service: ResolvedService): RouteRow[] {
  const stages = service.traffic.stages.map((s) => ({ name: s.name, rule: s.description, destinations: s.destinations }));
  const base = { cluster: service.cluster.name, service: service.name, file: service.file, stages };
  const rows: RouteRow[] = [];
  for (const route of service.traffic.routes) {
    for (const path of route.paths) rows.push({ ...base, host: route.host, path, via: 'gateway', destination: `${route.destinationHost}:${route.port}` });
  }
  for (const process of service.processes.filter((p) => p.http)) {
    rows.push({ ...base, host: process.internalHost, path: '/', via: 'mesh', destination: process.fullName });
  }
  return rows;
}
