import { closest } from '../findings';
import { DEFAULTS } from './defaults';
import type { ResolvedCall } from './model';
import type { Report } from './report-rule';
import type { ParsedServiceValues } from './schema';

/**
 * Dependencies declared once: a service's `calls` name a callee, its port and (optionally) its
 * process. Resolve turns each into an address (an environment variable), an egress rule for the
 * caller and, on the callee, an AuthorizationPolicy rule for that caller on that port only. Both
 * sides need the other's values, so resolve reads the fleet through a `FleetDirectory`.
 */

/** What the fleet knows of one service on one cluster: enough to check and address calls to it. */
export interface DirectoryEntry {
  readonly name: string;
  readonly file: string;
  readonly processes: readonly { readonly name: string; readonly fullName: string; readonly ports: readonly { readonly name: string; readonly port: number }[] }[];
  readonly callerServices: readonly string[];
  readonly calls: readonly { readonly service: string; readonly port: string; readonly process?: string }[];
}

export function directoryEntry(values: ParsedServiceValues, file: string): DirectoryEntry {
  return {
    name: values.name,
    file,
    processes: Object.keys(values.processes)
      .sort()
      .map((name) => ({ name, fullName: `${values.name}-${name}`, ports: (values.processes[name].ports ?? []).map((p) => ({ name: p.name, port: p.port })) })),
    callerServices: values.callers?.services ?? [],
    calls: Object.values(values.calls ?? {}).map((c) => ({ service: c.service, port: c.port, process: c.process })),
  };
}

/** The services of the fleet on one cluster, for resolving calls in both directions. */
export class FleetDirectory {
  private readonly entries = new Map<string, DirectoryEntry>();
  private inboundPorts?: Map<string, Map<string, number[]>>;
  private sortedNames?: string[];
  private hosts?: Map<string, string>;

  constructor(
    entries: Iterable<DirectoryEntry>,
    /** Services that exist but are not known here (they failed to load): calls to them are not checked. */
    readonly unknown: ReadonlySet<string> = new Set(),
  ) {
    for (const entry of entries) this.entries.set(entry.name, entry);
  }

  get(name: string): DirectoryEntry | undefined {
    return this.entries.get(name);
  }

  get names(): readonly string[] {
    return (this.sortedNames ??= [...this.entries.keys(), ...this.unknown].sort());
  }

  /** The service a host name addresses (a service's or a process's Service name). Built once per directory. */
  serviceAt(host: string): string | undefined {
    if (!this.hosts) {
      this.hosts = new Map();
      for (const name of this.names) this.hosts.set(name, name);
      for (const name of this.names) for (const p of this.entries.get(name)?.processes ?? []) this.hosts.set(p.fullName, name);
    }
    return this.hosts.get(host);
  }

  /** Callers of `callee` that it consents to and that call it, with the ports they call. */
  inbound(callee: string): Map<string, number[]> {
    if (!this.inboundPorts) {
      this.inboundPorts = new Map();
      for (const caller of this.entries.values()) {
        for (const call of caller.calls) {
          const target = this.entries.get(call.service);
          if (!target || !target.callerServices.includes(caller.name)) continue;
          const found = findTarget(target, call);
          if (typeof found === 'string') continue;
          let callers = this.inboundPorts.get(call.service);
          if (!callers) this.inboundPorts.set(call.service, (callers = new Map()));
          const ports = callers.get(caller.name) ?? [];
          if (!ports.includes(found.port)) ports.push(found.port);
          callers.set(caller.name, ports.sort((a, b) => a - b));
        }
      }
    }
    return this.inboundPorts.get(callee) ?? new Map();
  }
}

/** The callee process and port a call reaches, or what is wrong with it. */
function findTarget(callee: DirectoryEntry, call: { port: string; process?: string }): { process: string; fullName: string; port: number } | string {
  const candidates = call.process ? callee.processes.filter((p) => p.name === call.process) : callee.processes;
  if (call.process && candidates.length === 0) {
    const suggestion = closest(call.process, callee.processes.map((p) => p.name));
    return `expected a process of ${callee.file}, got '${call.process}'${suggestion ? `; did you mean '${suggestion}'?` : `; processes: ${callee.processes.map((p) => p.name).join(', ')}`}`;
  }
  const serving = candidates.filter((p) => p.ports.some((port) => port.name === call.port));
  if (serving.length === 1) {
    const process = serving[0];
    return { process: process.name, fullName: process.fullName, port: process.ports.find((p) => p.name === call.port)!.port };
  }
  const ports = candidates.flatMap((p) => p.ports.map((port) => `${p.name}.${port.name}`));
  if (serving.length === 0) return `expected a port named '${call.port}' served by ${call.process ? `process '${call.process}' of ` : ''}${callee.file}, found none (ports: ${ports.join(', ') || 'none'})`;
  return `expected one process of ${callee.file} serving port '${call.port}', found ${serving.map((p) => `'${p.name}'`).join(', ')}; name it with process: '<name>'`;
}

/**
 * FC-CALL-002: an environment value that addresses another service of the fleet
 * (`PAYMENT_ADDR: 'paymentservice:50051'`, `http://payments-api.payments.svc.cluster.local:8080`)
 * bypasses `calls`: nothing checks that the service, the port and its consent exist, and egress
 * would deny it. Its own service's addresses are fine.
 */
export function checkEnvAddresses(values: ParsedServiceValues, directory: FleetDirectory | undefined, report: Report): void {
  if (!directory) return;
  const check = (path: PropertyKey[], variable: string, value: string) => {
    const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([a-z0-9-]+)(?:\.[a-z0-9.-]+)?:(\d{1,5})(?:\/.*)?$/.exec(value);
    const callee = match ? directory.serviceAt(match[1]) : undefined;
    if (!match || !callee || callee === values.name) return;
    const port = directory.get(callee)?.processes.flatMap((p) => p.ports).find((p) => p.port === Number(match[2]));
    report(
      path,
      'FC-CALL-002',
      `expected an address of another service to come from calls, got '${value}' (service '${callee}'${port ? `, port '${port.name}'` : `, a port it does not serve`}); replace it with calls: { ${variable.toLowerCase().replace(/_(addr|url|host|endpoint|address)$/, '').replace(/_/g, '-')}: { service: '${callee}', port: '${port?.name ?? '<port name>'}', env: '${variable}' } }, which also allows the call both ways`,
    );
  };
  for (const [name, value] of Object.entries(values.env ?? {})) check(['env', name], name, value);
  for (const [process, p] of Object.entries(values.processes)) for (const [name, value] of Object.entries(p.env ?? {})) check(['processes', process, 'env', name], name, value);
}

/** `values.calls` on one cluster: each checked against the callee (FC-CALL-001) and addressed. */
export function resolveCalls(values: ParsedServiceValues, directory: FleetDirectory | undefined, report: Report): ResolvedCall[] {
  const calls: ResolvedCall[] = [];
  if (!directory) return calls;
  for (const name of Object.keys(values.calls ?? {}).sort()) {
    const call = values.calls![name];
    const at = (...rest: PropertyKey[]) => ['calls', name, ...rest];
    const callee = directory.get(call.service);
    if (!callee) {
      if (directory.unknown.has(call.service)) continue;
      const suggestion = closest(call.service, directory.names);
      report(at('service'), 'FC-CALL-001', `expected a service of the fleet (a folder under apps/), got '${call.service}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
      continue;
    }
    const target = findTarget(callee, call);
    if (typeof target === 'string') {
      report(at(call.process && target.includes('a process of') ? 'process' : 'port'), 'FC-CALL-001', target);
      continue;
    }
    if (!callee.callerServices.includes(values.name)) {
      report(
        at('service'),
        'FC-CALL-001',
        `expected ${callee.file} to list '${values.name}' in callers.services (the callee consents to each caller), found ${callee.callerServices.length ? callee.callerServices.map((s) => `'${s}'`).join(', ') : 'none'}; add '${values.name}' there`,
      );
      continue;
    }
    calls.push({
      name,
      service: call.service,
      process: target.process,
      portName: call.port,
      port: target.port,
      host: `${target.fullName}.${call.service}.svc.cluster.local`,
      env: call.env ?? `${name.toUpperCase().replace(/-/g, '_')}${DEFAULTS.callEnvSuffix}`,
    });
  }
  return calls;
}
