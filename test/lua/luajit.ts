import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Runs the gateway's rendered Lua filters under LuaJIT (the runtime Envoy embeds) against the
 * mock request handle in ./envoy-mock.lua. LuaJIT comes from scripts/setup-luajit.sh.
 */

/** A header as it travels: repeated names allowed, order kept. */
export type HeaderList = readonly (readonly [string, string])[];

export interface GatewayRequest {
  /** What the client sent. */
  readonly headers: HeaderList;
  /**
   * Headers jwt_authn appends after verifying a token (RequestAuthentication
   * outputClaimToHeaders): [header, claim value]; empty for no token. jwt_authn appends with
   * addCopy (envoy source/extensions/filters/http/jwt_authn/authenticator.cc).
   */
  readonly verified?: HeaderList;
  /** Which of the two filters run; default both, strip first. */
  readonly stages?: readonly ('strip' | 'derive')[];
  /** Header-object methods this Envoy lacks (calling one raises a Lua error). */
  readonly missingMethods?: readonly string[];
}

export interface GatewayResult {
  /** Headers as the router sees them. */
  readonly headers: HeaderList;
  readonly logs: readonly string[];
  /** Whether a filter changed the headers (Envoy's Lua filter then clears the route cache). */
  readonly modified: boolean;
}

export interface GatewayScripts {
  readonly strip: string;
  readonly derive: string;
}

const MOCK = path.join(__dirname, 'envoy-mock.lua');

export function luajitVersion(): string {
  const result = spawnSync('luajit', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new Error('luajit is not installed: run scripts/setup-luajit.sh (as root: apt-get install -y luajit)');
  return result.stdout.trim();
}

/** A Lua string literal of arbitrary bytes (decimal escapes outside printable ASCII). */
function luaBytes(value: string): string {
  let out = '"';
  for (const b of Buffer.from(value, 'utf8')) out += b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b}`;
  return `${out}"`;
}

/** A long bracket literal whose level does not occur in the text. */
function longString(text: string): string {
  let level = 0;
  while (text.includes(`]${'='.repeat(level)}]`)) level++;
  const eq = '='.repeat(level);
  // A newline right after the opening bracket is dropped by Lua; add one so a leading newline survives.
  return `[${eq}[\n${text}]${eq}]`;
}

const list = (headers: HeaderList) => `{ ${headers.map(([k, v]) => `{ ${luaBytes(k)}, ${luaBytes(v)} }`).join(', ')} }`;

/** Runs every request through the scripts in one LuaJIT process; results in request order. */
export function runGateway(scripts: GatewayScripts, requests: readonly GatewayRequest[]): GatewayResult[] {
  const program = [
    `local mock = dofile(${luaBytes(MOCK)})`,
    `local SCRIPTS = { strip = ${longString(scripts.strip)}, derive = ${longString(scripts.derive)} }`,
    `local function hex(s) return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end)) end`,
    'local REQUESTS = {',
    ...requests.map(
      (r) =>
        `  { headers = ${list(r.headers)}, verified = ${list(r.verified ?? [])}, stages = { ${(r.stages ?? ['strip', 'derive']).map((s) => `"${s}"`).join(', ')} }, missing = { ${(r.missingMethods ?? []).map(luaBytes).join(', ')} } },`,
    ),
    '}',
    'for i, r in ipairs(REQUESTS) do',
    '  local headers = mock.headers(r.headers)',
    '  for _, method in ipairs(r.missing) do headers[method] = false end',
    '  local handle = mock.handle(headers)',
    '  local verified_added = false',
    '  local function verify()',
    '    if verified_added then return end',
    '    verified_added = true',
    '    for _, h in ipairs(r.verified) do table.insert(headers.entries, { string.lower(h[1]), h[2] }) end',
    '  end',
    '  local modified = false',
    '  for _, stage in ipairs(r.stages) do',
    '    if stage == "derive" then verify() end',
    '    headers.modified = false',
    '    mock.run(SCRIPTS[stage], handle)',
    '    modified = modified or headers.modified',
    '  end',
    '  verify()',
    '  for k, v in headers:each() do io.write(i, "\\th\\t", hex(k), "\\t", hex(v), "\\n") end',
    '  for _, l in ipairs(handle.logs) do io.write(i, "\\tl\\t", hex(l), "\\n") end',
    '  io.write(i, "\\tm\\t", modified and "1" or "0", "\\n")',
    'end',
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-lua-'));
  try {
    const file = path.join(dir, 'run.lua');
    fs.writeFileSync(file, program);
    const stdout = execFileSync('luajit', [file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const results = requests.map(() => ({ headers: [] as [string, string][], logs: [] as string[], modified: false }));
    const text = (hex: string) => Buffer.from(hex, 'hex').toString('utf8');
    for (const line of stdout.split('\n')) {
      if (!line) continue;
      const [index, kind, a, b] = line.split('\t');
      const result = results[Number(index) - 1];
      if (kind === 'h') result.headers.push([text(a), text(b)]);
      else if (kind === 'l') result.logs.push(text(a));
      else if (kind === 'm') result.modified = a === '1';
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every value of a header in a result, in order. */
export function valuesOf(result: GatewayResult, name: string): string[] {
  return result.headers.filter(([k]) => k === name.toLowerCase()).map(([, v]) => v);
}
