import { organizationBucket } from '../../gateway/bucket';
import { renderFleet } from '../../pipeline';
import type { ResolvedProcess, ResolvedService } from '../../values/model';
import { Requester, RouteVersion, parseBucket, routeVersions, shownVersion, unroutableBecause } from '../../values/release';
import { Command, Io, reportFindings, selection } from '../command';

/** One HTTP entry point of a service and the rules it routes by, first match wins. */
interface RouteRow {
  readonly cluster: string;
  readonly service: string;
  readonly file: string;
  /** External host and path, or the in-cluster host for mesh callers. */
  readonly host: string;
  readonly path: string;
  readonly via: 'gateway' | 'mesh';
  readonly destination: string;
  readonly process: string;
  readonly rules: readonly { name: string; rule: string; version: string }[];
}

/** A process that no route can steer by organization: workers, tcp/tls, helpers. */
interface ProcessRow {
  readonly process: string;
  readonly release: ResolvedProcess['release'];
  /** Version → pods. */
  readonly runs: readonly { version: string; replicas: number }[];
  readonly what: string;
}

interface ServiceRows {
  readonly cluster: string;
  readonly service: string;
  readonly file: string;
  readonly versions: readonly { version: string; role: string; orgs: readonly string[]; users: readonly string[] }[];
  readonly routes: readonly RouteRow[];
  readonly processes: readonly ProcessRow[];
}

export const routes: Command = {
  run(flags, io) {
    const asked: Requester = { org: flags.org as string | undefined, user: flags.user as string | undefined, bucket: flags.bucket as string | undefined };
    if (asked.bucket !== undefined && parseBucket(asked.bucket) === undefined) {
      io.err(`fleetchart routes: --bucket: expected an organization bucket 0–99, got '${asked.bucket}'`);
      return 2;
    }
    if (asked.bucket !== undefined && asked.org === undefined) {
      io.err(`fleetchart routes: --bucket needs --org: a bucket belongs to an organization`);
      return 2;
    }
    // Without --bucket, the organization's bucket is the one the ingress gateway computes for it.
    const who: Requester = asked.org !== undefined && asked.bucket === undefined ? { ...asked, bucket: String(organizationBucket(asked.org)) } : asked;
    const result = renderFleet(io.root, selection(flags));
    if (reportFindings(result.findings, io, 'fix them to see the routes')) return 1;
    const services = result.files.map((f) => f.service);
    if (who.org !== undefined || who.user !== undefined) return printAnswers(services, who, flags.json === true, io);
    const rows = services.map(serviceRows);
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
      io.out(`  ${row.service}   [${row.file}]`);
      io.out(`    versions: ${row.versions.map(describeVersion).join('; ')}`);
      for (const route of row.routes) {
        io.out(`    ${route.host}${route.via === 'gateway' ? route.path : ''}  (${route.via}) → ${route.destination}`);
        route.rules.forEach((rule, i) => io.out(`      ${i + 1}. ${rule.rule}`));
      }
      for (const process of row.processes) io.out(`    ${process.process}  (not routed) → ${process.what}`);
    }
    if (rows.length === 0) io.out('no routes');
    return 0;
  },
};

function describeVersion(v: ServiceRows['versions'][number]): string {
  const who = [v.orgs.length ? `orgs ${v.orgs.join(', ')}` : '', v.users.length ? `users ${v.users.join(', ')}` : ''].filter(Boolean).join(', ');
  return `${shownVersion(v.version)} ${v.role}${who ? ` (${who})` : ''}`;
}

export function serviceRows(service: ResolvedService): ServiceRows {
  const release = service.traffic.release;
  const rules = (process: ResolvedProcess) => {
    if (process.release === 'own-image') return [{ name: 'default', rule: `everything → ${process.deployments[0].version} (own image, outside the release)`, version: process.deployments[0].version }];
    if (process.release === 'routed') return service.traffic.rules.map((r) => ({ name: r.name, rule: r.description, version: r.version.version }));
    const because = `${process.name} cannot be routed by organization: ${unroutableBecause(process)}`;
    return [{ name: 'default', rule: `everything → ${shownVersion(release.default.version)} (default; ${because})`, version: release.default.version }];
  };
  const base = { cluster: service.cluster.name, service: service.name, file: service.file };
  const routeRows: RouteRow[] = [];
  for (const route of service.traffic.routes) {
    const process = service.processes.find((p) => p.name === route.process)!;
    for (const path of route.paths) routeRows.push({ ...base, host: route.host, path, via: 'gateway', destination: `${route.destinationHost}:${route.port}`, process: process.name, rules: rules(process) });
  }
  for (const process of service.processes.filter((p) => p.http)) {
    routeRows.push({ ...base, host: process.internalHost, path: '/', via: 'mesh', destination: process.fullName, process: process.name, rules: rules(process) });
  }
  const processRows: ProcessRow[] = service.processes
    .filter((p) => p.release !== 'routed')
    .map((p) => ({ process: p.name, release: p.release, runs: p.deployments.map((d) => ({ version: d.version, replicas: d.replicas })), what: describeProcess(service, p) }));
  return {
    ...base,
    versions: release.versions.map((v) => ({ version: v.version, role: v.role, orgs: v.orgs, users: v.users })),
    routes: routeRows,
    processes: processRows,
  };
}

function describeProcess(service: ResolvedService, process: ResolvedProcess): string {
  const release = service.traffic.release;
  const pods = (n: number) => `${n} pod${n === 1 ? '' : 's'}`;
  if (process.release === 'own-image') return `runs ${process.deployments[0].image} (${pods(process.deployments[0].replicas)}), outside the release`;
  const because = `cannot be routed by organization (${unroutableBecause(process)})`;
  if (process.release === 'default-only') {
    return `runs only the default ${shownVersion(release.default.version)} (${pods(process.deployments[0].replicas)}): ${because}, so every organization's work goes to the default; followRollout: true would run the rollout version beside it`;
  }
  const [main, rollout] = process.deployments;
  if (!rollout) return `runs only the default ${shownVersion(main.version)} (${pods(main.replicas)}): ${because}; no rollout`;
  const state = release.rollout?.rollback ? 'rolled back' : `at ${release.rollout?.weight}%`;
  return `runs the default ${shownVersion(main.version)} (${pods(main.replicas)}) and the rollout ${shownVersion(rollout.version)} (${pods(rollout.replicas)}, ${state}): ${because}, so work is shared by replica count, not by organization`;
}

interface AnswerRow extends Omit<RouteVersion, 'via'> {
  readonly cluster: string;
  readonly service: string;
  /** `none`: a process without HTTP routes (a worker, tcp/tls), which no route steers. */
  readonly via: RouteVersion['via'] | 'none';
}

/** `--org` / `--user`: the version that organization or user gets on every route of every cluster, and why. */
function printAnswers(services: readonly ResolvedService[], who: Requester, json: boolean, io: Io): number {
  const rows: AnswerRow[] = services.flatMap((service) => {
    const base = { cluster: service.cluster.name, service: service.name };
    const unrouted = service.processes
      .filter((p) => !p.http && p.release !== 'own-image')
      .map((p) => ({ ...base, via: 'none' as const, host: '', process: p.name, version: p.deployments.map((d) => d.version).join(' and '), reason: 'default-only' as const, why: describeProcess(service, p) }));
    return [...routeVersions(service, who).map((a) => ({ ...base, ...a })), ...unrouted];
  });
  if (json) {
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  }
  const asked = [who.org !== undefined ? `organization ${who.org}${who.bucket !== undefined ? ` (bucket ${parseBucket(who.bucket)})` : ''}` : '', who.user !== undefined ? `user ${who.user}` : ''].filter(Boolean).join(', ');
  io.out(`versions for ${asked}`);
  let cluster = '';
  for (const row of rows) {
    if (row.cluster !== cluster) {
      io.out('');
      io.out(`cluster ${row.cluster}`);
      cluster = row.cluster;
    }
    io.out(`  ${row.via === 'none' ? row.process : `${row.host}${row.path ?? ''}`}  (${row.via === 'none' ? 'not routed' : row.via}) → ${shownVersion(row.version)}: ${row.why}`);
  }
  if (rows.length === 0) io.out('no routes');
  return 0;
}
