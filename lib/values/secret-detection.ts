/**
 * What looks like a secret: variable and flag names, and literal values with a credential's
 * shape. Pure functions shared by the resolve stage (values that never reach a manifest, e.g. an
 * env value shadowed by a secret of the same name) and the validate stage (every rendered pod).
 */

/**
 * Name fragments that mark a variable as secret when a `_`-segment contains them
 * (`PGPASSWORD`, `DB_PASS`, `MYSQL_PWD`, `GITHUB_TOKEN`, `STRIPE_SECRET`, `API_KEY`, `AWSKEY`).
 */
const SECRET_FRAGMENTS = ['PASS', 'PWD', 'TOKEN', 'SECRET', 'CREDENTIAL', 'KEY', 'AUTH'];

/**
 * Segments that contain a fragment but name no secret (documented in the README's FC-SEC-001
 * notes): words that merely contain PASS/KEY/AUTH, and public halves of key pairs.
 */
const NOT_SECRET_SEGMENTS = new Set([
  'BYPASS', 'PASSTHROUGH', 'COMPASS', 'PASSIVE', 'PASSPORT', 'KEYSPACE', 'KEYSPACES', 'KEYCLOAK', 'KEYBOARD', 'MONKEY', 'TURNKEY', 'HOTKEY', 'HOTKEYS',
  'KEYRING', 'KEYSTORE', 'TRUSTSTORE', 'AUTHOR', 'AUTHORS', 'AUTHORITY', 'AUTHORIZATION', 'AUTHZ', 'OAUTH', 'OAUTH2', 'AUTHN', 'AUTHENTICATION',
]);

/** A last segment that says the value is about a secret (where it is, how it behaves), not the secret itself. */
const NOT_A_VALUE = new Set([
  'URL', 'URI', 'ENDPOINT', 'HOST', 'PORT', 'PATH', 'FILE', 'DIR', 'NAME', 'ID', 'HEADER', 'TTL', 'TIMEOUT', 'EXPIRY', 'ISSUER', 'AUDIENCE', 'ALGORITHM',
  'TYPE', 'SCOPE', 'SCOPES', 'LENGTH', 'SIZE', 'ENABLED', 'DISABLED', 'REF', 'VERSION', 'FORMAT', 'MODE', 'ROTATION', 'PREFIX', 'FIELD', 'PARAM', 'COOKIE',
  'REGION', 'PROJECT', 'ACCOUNT', 'USER', 'USERNAME', 'LOGIN', 'PROVIDER', 'STRATEGY', 'METHOD', 'REQUIRED', 'POLICY', 'COUNT', 'LIMIT', 'INTERVAL',
]);

/** Whether an environment variable (or a flag, with `-` read as `_`) name says it holds a secret. */
export function secretLookingName(name: string): boolean {
  const segments = name.toUpperCase().replace(/-/g, '_').split('_').filter(Boolean);
  if (segments.length === 0) return false;
  const last = segments[segments.length - 1];
  if (NOT_A_VALUE.has(last) && segments.length > 1) return false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (NOT_SECRET_SEGMENTS.has(segment)) continue;
    // A public key (PUBLIC_KEY, PUBKEY) is meant to be shared.
    if (segment === 'PUBKEY' || (segment === 'KEY' && segments[i - 1] === 'PUBLIC')) continue;
    if (SECRET_FRAGMENTS.some((fragment) => segment.includes(fragment))) return true;
  }
  return false;
}

const CREDENTIAL_SHAPES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, what: 'a URL with a password' },
  // Any PEM private key: RSA, EC, OPENSSH, ENCRYPTED, PGP ("PRIVATE KEY BLOCK").
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/, what: 'a private key' },
  { pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, what: 'a JSON web token' },
  { pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, what: 'an AWS access key id' },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/, what: 'a Google API key' },
  { pattern: /"type"\s*:\s*"service_account"|"private_key_id"\s*:/, what: 'a Google service account key' },
  { pattern: /\bya29\.[0-9A-Za-z_-]{20,}/, what: 'a Google OAuth access token' },
  { pattern: /\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b/, what: 'a GitHub token' },
  { pattern: /\bxox[abprse]-[A-Za-z0-9-]{10,}/, what: 'a Slack token' },
  { pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]+/, what: 'a Slack webhook URL' },
  { pattern: /\b[sr]k_live_[0-9A-Za-z]{10,}/, what: 'a Stripe live secret key' },
  { pattern: /\bsk-(proj-)?[A-Za-z0-9_-]{32,}/, what: 'an API secret key (sk-…)' },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}/, what: 'a GitLab token' },
  { pattern: /\bnpm_[A-Za-z0-9]{36}\b/, what: 'an npm token' },
  { pattern: /AccountKey=[A-Za-z0-9+/=]{20,}/, what: 'an Azure storage account key' },
  { pattern: /SharedAccessSignature=|[?&]sig=[A-Za-z0-9%+/=]{20,}/, what: 'an Azure shared access signature' },
];

/** What kind of credential a literal looks like, or undefined. */
export function credentialShape(value: string): string | undefined {
  for (const { pattern, what } of CREDENTIAL_SHAPES) if (pattern.test(value)) return what;
  return undefined;
}

/** A value that is no secret itself: a Kubernetes `$(VAR)` reference, a file path, or empty. */
function referenceOrPath(value: string): boolean {
  return value === '' || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(value) || value.startsWith('/');
}

export interface SecretFlag {
  /** Index of the argument that holds the value. */
  readonly index: number;
  readonly flag: string;
}

/**
 * Command-line flags with a secret-looking name and a literal value: `--db-password=hunter2`,
 * `--api-key sk_live_…`, `-token=x`. A `$(VAR)` reference (Kubernetes expands it from the
 * container's env, so a Secret can back it) and a file path are fine.
 */
export function secretFlags(argv: readonly string[]): SecretFlag[] {
  const found: SecretFlag[] = [];
  for (let i = 0; i < argv.length; i++) {
    const match = /^--?([A-Za-z][A-Za-z0-9_.-]*)(=(.*))?$/s.exec(argv[i]);
    if (!match || !secretLookingName(match[1].replace(/\./g, '_'))) continue;
    if (match[2] !== undefined) {
      if (!referenceOrPath(match[3])) found.push({ index: i, flag: `--${match[1].replace(/^-/, '')}` });
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('-') && !referenceOrPath(argv[i + 1])) {
      found.push({ index: i + 1, flag: `--${match[1].replace(/^-/, '')}` });
    }
  }
  return found;
}
