import { VERDICT_EXIT, formatVerdict, judge, parseTime, prometheusQuery, validWindow } from '../../observability/verdict';
import { renderFleet } from '../../pipeline';
import { Command, reportFindings } from '../command';

export const verdict: Command = {
  async run(flags, io) {
    const service = flags.operand as string | undefined;
    const cluster = flags.cluster as string | undefined;
    const prometheus = flags.prometheus as string | undefined;
    const usage = (message: string) => {
      io.err(`fleetchart verdict: ${message}; usage: fleetchart verdict <service> --cluster <name> --prometheus <url> [--window 30m] [--at <time>] [--json]`);
      return 2;
    };
    if (!service) return usage('expected the service name, e.g. fleetchart verdict patient-notes --cluster prod-eu-west --prometheus http://127.0.0.1:9090');
    if (!cluster || /[*?]/.test(cluster)) return usage('expected --cluster with one cluster name (no glob)');
    if (!prometheus || !/^https?:\/\/./.test(prometheus)) return usage(`expected --prometheus with the Prometheus URL, e.g. http://127.0.0.1:9090`);
    const window = flags.window as string | undefined;
    if (window !== undefined && !validWindow(window)) return usage(`expected --window in whole minutes or hours like '30m' or '1h', got '${window}'`);
    const at = flags.at === undefined ? new Date() : parseTime(flags.at as string);
    if (!at) return usage(`expected --at as RFC 3339 ('2026-12-04T02:00:00Z') or Unix seconds, got '${flags.at}'`);

    const fleet = renderFleet(io.root, { app: service, cluster });
    if (reportFindings(fleet.findings, io, 'fix them to get a verdict')) return 1;
    const file = fleet.files.find((f) => f.app === service && f.cluster === cluster);
    if (!file) return usage(`expected a service and cluster of this fleet, got '${service}' on '${cluster}'`);
    let result;
    try {
      result = await judge(file.service, prometheusQuery(prometheus, at), { window, at });
    } catch (error) {
      io.err(`fleetchart verdict: ${(error as Error).message}`);
      return 1;
    }
    if (flags.json) io.out(JSON.stringify(result, null, 2));
    else for (const line of formatVerdict(result)) io.out(line);
    return VERDICT_EXIT[result.decision];
  },
};
