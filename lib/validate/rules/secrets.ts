import { credentialShape, secretFlags, secretLookingName } from '../../values/secret-detection';
import { ClusterView, Located, containersOf, describeObject, podTemplate } from '../context';

/**
 * No secret ever lands in a manifest: secret-looking variables read from Secrets (FC-SEC-001),
 * no credential-shaped literal anywhere in env, command or args (FC-SEC-002), no Secret objects
 * (FC-SEC-003).
 */

export { credentialShape, secretLookingName } from '../../values/secret-detection';

export function checkSecrets(view: ClusterView): void {
  for (const at of view.byKind('Secret')) {
    view.report(at, 'FC-SEC-003', '', `expected no Secret objects in rendered output, got Secret ${at.doc.metadata.name}; create Secrets outside git and reference them with secrets: { NAME: { secret, key } }`);
  }
  const byFile = new Map<Located['file'], Located[]>();
  for (const at of view.byKind('Deployment')) {
    let list = byFile.get(at.file);
    if (!list) byFile.set(at.file, (list = []));
    list.push(at);
  }
  for (const workloads of byFile.values()) checkService(view, workloads);
}

/**
 * One finding per variable and values location: a literal every Deployment of the service shares
 * is reported once at `env.NAME` (where such a variable is usually set), one that only some
 * processes have at `processes.<p>.env.NAME`.
 */
function checkService(view: ClusterView, workloads: readonly Located[]): void {
  const literals = new Map<string, { at: Located; container: string; value: string }[]>();
  let workloadCount = 0;
  for (const at of workloads) {
    const pod = podTemplate(at.doc);
    if (!pod) continue;
    workloadCount++;
    for (const c of containersOf(pod.spec)) {
      const secretDirs = secretMountDirectories(pod.spec, c);
      for (const e of c.env ?? []) {
        if (typeof e?.value !== 'string' || e.value === '') continue;
        // The path of a mounted secret file (secrets.<NAME>.file), not its value.
        if (secretDirs.some((dir) => e.value.startsWith(`${dir}/`))) continue;
        const key = `${e.name}\u0000${e.value}`;
        let list = literals.get(key);
        if (!list) literals.set(key, (list = []));
        list.push({ at, container: c.name, value: e.value });
      }
      for (const field of ['command', 'args']) {
        const argv: unknown[] = c[field] ?? [];
        const shaped = new Set<number>();
        argv.forEach((arg, i) => {
          const shape = typeof arg === 'string' ? credentialShape(arg) : undefined;
          if (shape) view.report(at, 'FC-SEC-002', view.processPath(at, field), `expected no credential on the command line, got ${shape} in ${field}[${i}] of container '${c.name}' (${describeObject(at)}); read it from an environment variable backed by a Secret`);
          if (shape) shaped.add(i);
        });
        // A flag named like a secret with a literal value; one finding per argument.
        for (const { index, flag } of secretFlags(argv.filter((a): a is string => typeof a === 'string'))) {
          if (shaped.has(index)) continue;
          view.report(at, 'FC-SEC-001', view.processPath(at, field), `expected no literal value for secret-looking flag '${flag}' in ${field}[${index}] of container '${c.name}' (${describeObject(at)}), got one; put the value in secrets: { NAME: { secret, key } } and pass '${flag}=$(NAME)' (Kubernetes expands it), or add waivers: { 'FC-SEC-001': '<why it is not secret>' }`);
        }
      }
    }
  }
  for (const [key, uses] of literals) {
    const name = key.slice(0, key.indexOf('\u0000'));
    const secretName = secretLookingName(name);
    const shape = secretName ? undefined : credentialShape(uses[0].value);
    if (!secretName && !shape) continue;
    const message = secretName
      ? `expected a Secret reference for secret-looking variable '${name}', got a literal value; move it to secrets: { ${name}: { secret: '<secret name>', key: '<key>' } }, or add waivers: { 'FC-SEC-001': '<why it is not secret>' }`
      : `expected no credential in plain env, got ${shape} in '${name}'; store it in a Secret and use secrets: { ${name}: { secret: '<secret name>', key: '<key>' } }`;
    const rule = secretName ? 'FC-SEC-001' : 'FC-SEC-002';
    if (new Set(uses.map((u) => u.at.doc.metadata.name)).size === workloadCount) {
      view.report(uses[0].at, rule, `env.${name}`, message);
      continue;
    }
    const reported = new Set<string>();
    for (const u of uses) {
      const path = view.processPath(u.at, 'env', name) || `env.${name}`;
      if (!reported.has(path)) view.report(u.at, rule, path, message);
      reported.add(path);
    }
  }
}

/** Directories where a container mounts Secret volumes (secret or projected from Secrets). */
function secretMountDirectories(spec: Record<string, any>, c: Record<string, any>): string[] {
  const secretVolumes = new Set(
    (spec.volumes ?? []).filter((v: any) => v?.secret || (v?.projected?.sources ?? []).some((s: any) => s?.secret)).map((v: any) => v.name),
  );
  return (c.volumeMounts ?? []).filter((m: any) => secretVolumes.has(m?.name) && typeof m.mountPath === 'string').map((m: any) => m.mountPath.replace(/\/$/, ''));
}
