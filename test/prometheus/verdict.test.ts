import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serviceDashboard } from '../../lib/observability/dashboard';
import { VERDICT_EXIT, prometheusQuery } from '../../lib/observability/verdict';
import { renderFleet } from '../../lib/pipeline';
import { makeFleet, removeFleet, runCli, valuesFile } from '../support/fleet';
import { SKIP_HINT, tool } from './tools';

/**
 * `fleetchart verdict` against a real Prometheus server started on a loopback port, its TSDB
 * backfilled by `promtool tsdb create-blocks-from openmetrics` with two hours of Istio series for
 * three services: a good rolling-out version, a bad one, and one with too little traffic.
 */

const promtool = tool('promtool');
const prometheus = tool('prometheus');
const CLUSTER = 'prod-eu-west';
const DEFAULT = '2026.11.3';
const CANARY = '2026.11.4';
const MINUTES = 120;
// Whole minutes, an hour back: inside any retention, and the TSDB head starts empty anyway.
const END = Math.floor(Date.now() / 60_000) * 60 - 3600;

interface Version {
  okPerMinute: number;
  errorsPerMinute: number;
  /** Upper bound (ms) of the bucket every request falls in. */
  latency: number;
}

const SERVICES: Record<string, Record<string, Version>> = {
  'good-canary': { [DEFAULT]: { okPerMinute: 5997, errorsPerMinute: 3, latency: 100 }, [CANARY]: { okPerMinute: 300, errorsPerMinute: 0, latency: 100 } },
  'bad-canary': { [DEFAULT]: { okPerMinute: 5997, errorsPerMinute: 3, latency: 100 }, [CANARY]: { okPerMinute: 285, errorsPerMinute: 15, latency: 100 } },
  'slow-canary': { [DEFAULT]: { okPerMinute: 6000, errorsPerMinute: 0, latency: 100 }, [CANARY]: { okPerMinute: 300, errorsPerMinute: 0, latency: 2500 } },
  'thin-canary': { [DEFAULT]: { okPerMinute: 6000, errorsPerMinute: 0, latency: 100 }, [CANARY]: { okPerMinute: 1, errorsPerMinute: 0, latency: 100 } },
};
const LE = ['100', '500', '1000', '2500', '+Inf'];

/** OpenMetrics text: each family once, each series' samples in time order, `# EOF` last. */
function openMetrics(): string {
  const requests: string[] = [];
  const buckets: string[] = [];
  const emit = (out: string[], series: string, perMinute: number) => {
    for (let m = 0; m <= MINUTES; m++) out.push(`${series} ${m * perMinute} ${END - (MINUTES - m) * 60}`);
  };
  for (const [service, versions] of Object.entries(SERVICES)) {
    for (const [version, v] of Object.entries(versions)) {
      const base = `reporter="source",destination_service_namespace="${service}",destination_service_name="${service}-web",destination_version="${version}"`;
      emit(requests, `istio_requests_total{${base},response_code="200"}`, v.okPerMinute);
      emit(requests, `istio_requests_total{${base},response_code="503"}`, v.errorsPerMinute);
      const all = v.okPerMinute + v.errorsPerMinute;
      for (const le of LE) emit(buckets, `istio_request_duration_milliseconds_bucket{${base},le="${le}"}`, le === '+Inf' || v.latency <= Number(le) ? all : 0);
      emit(buckets, `istio_request_duration_milliseconds_count{${base}}`, all);
      emit(buckets, `istio_request_duration_milliseconds_sum{${base}}`, all * v.latency);
    }
  }
  return ['# TYPE istio_requests counter', ...requests, '# TYPE istio_request_duration_milliseconds histogram', ...buckets, '# EOF', ''].join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitReady(url: string, server: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`prometheus exited ${server.exitCode}:\n${log()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus not ready after 60s:\n${log()}`);
}

describe('verdict: against a real Prometheus with backfilled Istio series', { skip: !(promtool && prometheus) && SKIP_HINT }, () => {
  let dir: string;
  let fleet: string;
  let server: ChildProcess;
  let url: string;
  const timings: Record<string, number> = {};

  before(async () => {
    let start = Date.now();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-verdict-'));
    fs.writeFileSync(path.join(dir, 'series.om'), openMetrics());
    execFileSync(promtool!, ['tsdb', 'create-blocks-from', 'openmetrics', 'series.om', 'data'], { cwd: dir, stdio: 'pipe' });
    timings.backfill = Date.now() - start;
    start = Date.now();
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1m\n');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    let output = '';
    server = spawn(prometheus!, ['--config.file=prometheus.yml', '--storage.tsdb.path=data', `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=30d'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    await waitReady(url, server, () => output);
    timings.startup = Date.now() - start;
    const apps = Object.keys(SERVICES).map((name) => [
      `apps/${name}/values.ts`,
      valuesFile(`{
        name: '${name}', team: 'care-records', image: 'europe-docker.pkg.dev/acme-care/apps/${name}',
        release: { versions: ['${DEFAULT}@sha256:${'a'.repeat(64)}', '${CANARY}@sha256:${'b'.repeat(64)}'], default: '${DEFAULT}', rollout: { version: '${CANARY}', weight: 5 } },
        processes: { web: { ports: [{ name: 'http', port: 8080 }], replicas: 3 } },
      }`),
    ]);
    fleet = makeFleet(Object.fromEntries(apps));
  });

  after(() => {
    server?.kill();
    if (fleet) removeFleet(fleet);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    console.log(`verdict test timings (ms): ${JSON.stringify(timings)}`);
  });

  const verdict = async (service: string, json = true) => {
    const start = Date.now();
    const result = await runCli(fleet, ['verdict', service, '--cluster', CLUSTER, '--prometheus', url, '--at', String(END), ...(json ? ['--json'] : [])]);
    timings[service] = Date.now() - start;
    return result;
  };

  it('says advance for a rolling-out version as good as the default version, with the figures', async () => {
    const { code, out, err } = await verdict('good-canary');
    assert.deepEqual(err, []);
    const v = JSON.parse(out.join('\n'));
    assert.equal(v.decision, 'advance');
    assert.equal(code, VERDICT_EXIT.advance);
    const [def, next] = v.versions;
    assert.deepEqual([def.version, def.role, next.version, next.role], [DEFAULT, 'default', CANARY, 'rolling out']);
    // 30 minutes of 300 requests a minute, as Prometheus's increase() extrapolates them.
    assert.ok(Math.abs(next.requests - 9000) <= 300, `canary requests ${next.requests}`);
    assert.ok(Math.abs(def.errorRatio - 0.0005) < 0.0001, `default 5xx ratio ${def.errorRatio}`);
    assert.equal(next.errorRatio, 0);
  });

  it('says roll back for a rolling-out version with 5% errors against a default at 0.05%', async () => {
    const { code, out } = await verdict('bad-canary');
    const v = JSON.parse(out.join('\n'));
    assert.equal(v.decision, 'rollback');
    assert.equal(code, VERDICT_EXIT.rollback);
    assert.ok(Math.abs(v.versions[1].errorRatio - 0.05) < 0.001, `canary 5xx ratio ${v.versions[1].errorRatio}`);
    assert.match(v.reasons[0], /^5xx ratio 5% vs 0\.05% on the default version/);
  });

  it('says roll back for a rolling-out version whose p99 is far above the default version', async () => {
    const { code, out } = await verdict('slow-canary', false);
    assert.equal(code, VERDICT_EXIT.rollback);
    assert.equal(out[0], `slow-canary on ${CLUSTER}: ROLL BACK`);
    assert.ok(out.some((line) => /^ {2}- p99 \d+(\.\d+)?ms vs \d+(\.\d+)?ms on the default version/.test(line)), out.join('\n'));
  });

  it('says hold when the rolling-out version has fewer requests than the minimum', async () => {
    const { code, out } = await verdict('thin-canary');
    const v = JSON.parse(out.join('\n'));
    assert.equal(v.decision, 'hold');
    assert.equal(code, VERDICT_EXIT.hold);
    assert.match(v.reasons[0], new RegExp(`^too little data: ${CANARY.replace(/\./g, '\\.')} \\(rolling out\\) has \\d+ requests in 30m, needs 100`));
  });

  it("answers every query of the service's dashboard: the version panels with one series per version", async () => {
    const service = renderFleet(fleet, { app: 'good-canary', cluster: CLUSTER }).files[0].service;
    const dashboard = serviceDashboard(service) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const targets = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
    assert.ok(targets.length > 0);
    for (const { title, expr } of targets) {
      const answer = await prometheusQuery(url, new Date(END * 1000))(expr).catch((e: Error) => assert.fail(`${title}: ${e.message}`));
      if (/by version/.test(title)) assert.deepEqual([...answer.keys()].sort(), [DEFAULT, CANARY], title);
    }
  });

  it('fails with exit 1 and one line when Prometheus cannot be reached', async () => {
    const port = await freePort();
    const { code, err } = await runCli(fleet, ['verdict', 'good-canary', '--cluster', CLUSTER, '--prometheus', `http://127.0.0.1:${port}`]);
    assert.equal(code, 1);
    assert.equal(err.length, 1);
  });
});
