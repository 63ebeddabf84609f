import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The Lua code of the ingress gateway's identity filters: lib/gateway/identity.lua with a CONFIG
 * table in front, one script per stage. The EnvoyFilter (lib/constructs/gateway.ts) carries
 * these strings verbatim; test/lua/ runs them, as extracted from the rendered object, under
 * LuaJIT.
 */
export type IdentityStage = 'strip' | 'derive';

export interface IdentityScriptConfig {
  readonly orgHeader: string;
  readonly userHeader: string;
  readonly bucketHeader: string;
  /** Cookies that must never reach routing (removed from the Cookie header). */
  readonly routingCookies: readonly string[];
}

let body: string | undefined;

/** The script Envoy runs for one stage. Deterministic: the same config gives the same bytes. */
export function identityScript(stage: IdentityStage, config: IdentityScriptConfig): string {
  body ??= fs.readFileSync(path.join(__dirname, 'identity.lua'), 'utf8');
  const cookies = [...new Set(config.routingCookies)].sort().map((name) => `[${luaString(name)}] = true`);
  const prelude = [
    'local CONFIG = {',
    `  stage = ${luaString(stage)},`,
    `  org_header = ${luaString(config.orgHeader)},`,
    `  user_header = ${luaString(config.userHeader)},`,
    `  bucket_header = ${luaString(config.bucketHeader)},`,
    `  routing_cookies = { ${cookies.join(', ')} },`,
    '}',
    '',
  ].join('\n');
  return prelude + body;
}

/** A Lua string literal; names are validated ASCII, but escape anything unusual anyway. */
function luaString(value: string): string {
  return `"${[...Buffer.from(value, 'utf8')].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b}`)).join('')}"`;
}
