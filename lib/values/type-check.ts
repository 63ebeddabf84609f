import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCache, writeCache } from '../cache';
import type { Finding } from '../findings';

/**
 * `fleetchart validate`: what the TypeScript compiler rejects in the values files (and the
 * inventory), without type-checking the repository. The files run through esbuild, which strips
 * types, so a type error in a helper (`const zones: number = 'three'`) runs anyway; the schema
 * sees only the exported values. One program has the selected files as roots (lib/'s types come
 * with their imports, ~1-2 s); only the roots' diagnostics are read. Results are cached by the
 * file's content and lib/'s sources, so an unchanged file costs one hash.
 *
 * The values types and the schema are one declaration (test/editor-docs.test.ts), so in a file the
 * schema already reported, a wrong-shape diagnostic (SCHEMA_CODES) inside the exported values is
 * the schema's problem said again and is left out: one line per problem. `synth` does not run this
 * (it renders what the schema accepted).
 */

/** TypeScript's codes for a value of the wrong shape: the schema reports those with a values path. */
const SCHEMA_CODES = new Set([2322, 2345, 2353, 2561, 2739, 2740, 2741, 2769, 2820]);

/** TS1117, a key written twice: lib/values/source-check.ts reports it on every run. */
const DUPLICATE_KEY = 1117;

const CACHE = 'type-checks-v2.json';
/** `inValues`: inside the file's `export default` expression. */
type Diagnostic = { code: number; line: number; column: number; text: string; inValues: boolean };

export function typeFindings(root: string, candidates: readonly string[], schemaReported: ReadonlySet<string>): Finding[] {
  const files = candidates.filter((f) => fs.existsSync(path.join(root, f)));
  if (!files.length) return [];
  let ts: typeof import('typescript');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ts = require('typescript') as typeof import('typescript');
  } catch {
    // A fleet repository without the compiler installed (npm ci --omit=dev): nothing to check with.
    return [];
  }
  const cache = readCache<Record<string, Diagnostic[]>>(root, CACHE) ?? {};
  const signature = libSignature(root, ts.version);
  const keyOf = (file: string) => {
    try {
      return createHash('sha256').update(signature).update(fs.readFileSync(path.join(root, file))).digest('hex');
    } catch {
      return undefined;
    }
  };
  const keys = new Map(files.map((f) => [f, keyOf(f)] as const));
  const missing = files.filter((f) => keys.get(f) !== undefined && !cache[keys.get(f)!]);
  if (missing.length) {
    for (const [file, diagnostics] of check(ts, root, missing)) cache[keys.get(file)!] = diagnostics;
    writeCache(root, CACHE, cache);
  }
  const findings: Finding[] = [];
  for (const file of files) {
    const key = keys.get(file);
    for (const d of (key && cache[key]) || []) {
      if (d.code === DUPLICATE_KEY || (schemaReported.has(file) && d.inValues && SCHEMA_CODES.has(d.code))) continue;
      findings.push({
        file,
        path: '',
        severity: 'error',
        message: `expected code the TypeScript compiler accepts, got TS${d.code} at line ${d.line}, column ${d.column}: ${d.text}; fix it there (your editor underlines it)`,
      });
    }
  }
  return findings;
}

function check(ts: typeof import('typescript'), root: string, files: readonly string[]): Map<string, Diagnostic[]> {
  const configFile = path.join(root, 'tsconfig.json');
  const parsed = fs.existsSync(configFile) ? ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined }) : undefined;
  const options = { ...(parsed?.options ?? { strict: true, skipLibCheck: true, esModuleInterop: true }), noEmit: true, incremental: false };
  const program = ts.createProgram(
    files.map((f) => path.join(root, f)),
    options,
  );
  const result = new Map<string, Diagnostic[]>();
  for (const file of files) {
    const source = program.getSourceFile(path.join(root, file));
    if (!source) continue;
    // A file with a syntax error is left to loading, which reports it; its types mean little.
    const diagnostics = program.getSyntacticDiagnostics(source).length ? [] : program.getSemanticDiagnostics(source);
    const exported = source.statements.find(ts.isExportAssignment)?.expression;
    result.set(
      file,
      diagnostics.map((d) => {
        const start = d.start ?? 0;
        const at = source.getLineAndCharacterOfPosition(start);
        const inValues = exported !== undefined && start >= exported.getStart(source) && start < exported.getEnd();
        return { code: d.code, line: at.line + 1, column: at.character + 1, text: ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\.$/, ''), inValues };
      }),
    );
  }
  return result;
}

/** lib/'s sources and the compiler's version: what the values files' types depend on. */
function libSignature(root: string, version: string): string {
  const hash = createHash('sha256').update(version);
  const lib = path.join(root, 'lib');
  const files = fs.existsSync(lib) ? (fs.readdirSync(lib, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort() : [];
  for (const file of files) hash.update(file).update(fs.readFileSync(path.join(lib, file)));
  return hash.digest('hex');
}
