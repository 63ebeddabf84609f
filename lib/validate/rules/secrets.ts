import { ClusterView, Located, containersOf, describeObject, podTemplate } from '../context';

/**
 * No secret ever lands in a manifest: secret-looking variables read from Secrets (FC-SEC-001),
 * no credential-shaped literal anywhere in env, command or args (FC-SEC-002), no Secret objects
 * (FC-SEC-003).
 */

/** Name segments (split on `_`) that mark a variable as secret. */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PWD', 'PASSPHRASE', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL', 'CREDENTIALS', 'APIKEY', 'PRIVATEKEY']);
/** A last segment that says the value is about a secret, not the secret itself. */
const NOT_A_VALUE = new Set(['URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'PATH', 'FILE', 'DIR', 'NAME', 'ID', 'HEADER', 'TTL', 'TIMEOUT', 'EXPIRY', 'ISSUER', 'AUDIENCE', 'ALGORITHM', 'TYPE', 'SCOPE', 'SCOPES', 'LENGTH', 'SIZE', 'ENABLED', 'REF', 'VERSION', 'FORMAT', 'MODE', 'ROTATION']);

/** Whether an environment variable name says it holds a secret. */
export function secretLookingName(name: string): boolean {
  const segments = name.toUpperCase().split('_').filter(Boolean);
  if (segments.length === 0) return false;
  const last = segments[segments.length - 1];
  if (NOT_A_VALUE.has(last) && segments.length > 1) return false;
  if (last === 'KEY') return true;
  for (let i = 0; i < segments.length; i++) {
    if (SECRET_WORDS.has(segments[i])) return true;
    if (segments[i] === 'PRIVATE' && segments[i + 1] === 'KEY') return true;
  }
  return false;
}

const CREDENTIAL_SHAPES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, what: 'a URL with a password' },
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  { pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, what: 'a JSON web token' },
  { pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, what: 'a Google API key' },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{36}\b/, what: 'a GitHub token' },
  { pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/, what: 'a Slack token' },
  { pattern: /AccountKey=[A-Za-z0-9+/=]{20,}/, what: 'an Azure storage account key' },
];

/** What kind of credential a literal looks like, or undefined. */
export function credentialShape(value: string): string | undefined {
  for (const { pattern, what } of CREDENTIAL_SHAPES) if (pattern.test(value)) return what;
  return undefined;
}

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
      for (const e of c.env ?? []) {
        if (typeof e?.value !== 'string' || e.value === '') continue;
        const key = `${e.name}\u0000${e.value}`;
        let list = literals.get(key);
        if (!list) literals.set(key, (list = []));
        list.push({ at, container: c.name, value: e.value });
      }
      for (const field of ['command', 'args']) {
        (c[field] ?? []).forEach((arg: unknown, i: number) => {
          const shape = typeof arg === 'string' ? credentialShape(arg) : undefined;
          if (shape) view.report(at, 'FC-SEC-002', view.processPath(at, field), `expected no credential on the command line, got ${shape} in ${field}[${i}] of container '${c.name}' (${describeObject(at)}); read it from an environment variable backed by a Secret`);
        });
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
