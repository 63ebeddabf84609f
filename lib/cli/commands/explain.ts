import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { loadDefaultExport, valuesFile } from '../../load';
import { renderFleet } from '../../pipeline';
import { matchingOverrideKeys, mergeOverride } from '../../values/merge';
import { serviceSchema } from '../../values/schema';
import { Command, reportFindings } from '../command';

/** Where an effective value comes from. */
export interface ExplainedValue {
  readonly path: string;
  /** undefined when only a default applies (its text is in `source.default`). */
  readonly value?: unknown;
  readonly source:
    | { readonly kind: 'values'; readonly file: string; readonly line?: number }
    | { readonly kind: 'override'; readonly file: string; readonly override: string; readonly line?: number }
    | { readonly kind: 'default'; readonly file: 'lib/values/defaults.ts'; readonly default: string };
}

/**
 * `fleetchart explain <service> --cluster <name>`: every value of the service on that cluster
 * after the cluster overrides (merged as lib/values/merge.ts merges them), each with its origin:
 * a line of values.ts, an override key, or a default of lib/values/defaults.ts (as the schema's
 * description states it, so the text is the one editors show).
 */
export const explain: Command = {
  run(flags, io) {
    const app = flags.operand as string;
    const clusterName = flags.cluster as string | undefined;
    if (!clusterName) {
      io.err(`fleetchart explain: expected --cluster <name> (one cluster of apps/clusters.ts); see 'fleetchart explain --help'`);
      return 2;
    }
    const result = renderFleet(io.root, { app, cluster: clusterName });
    if (reportFindings(result.findings, io, 'nothing to explain')) return 1;
    if (result.clusters.length !== 1) {
      io.err(`fleetchart explain: --cluster: expected one cluster name, got '${clusterName}', which matches ${result.clusters.map((c) => c.name).join(', ')}`);
      return 2;
    }
    const file = valuesFile(app);
    const parsed = serviceSchema.parse(loadDefaultExport(io.root, file, 'service({ ... })').exported) as Record<string, unknown> & { clusters?: Record<string, unknown> };
    const lines = fs.readFileSync(path.join(io.root, file), 'utf8').split('\n');
    const explained = explainValues(parsed, result.clusters[0].name, file, lines);
    if (flags.json) {
      io.out(JSON.stringify(explained, null, 2));
      return 0;
    }
    io.out(`${app} on ${result.clusters[0].name}: values after defaults and overrides`);
    const width = Math.min(60, Math.max(...explained.map((e) => e.path.length + 2 + show(e).length)));
    for (const e of explained) io.out(`${`${e.path}: ${show(e)}`.padEnd(width)}  ← ${origin(e)}`);
    return 0;
  },
};

const show = (e: ExplainedValue) => (e.source.kind === 'default' ? e.source.default : JSON.stringify(e.value));
function origin(e: ExplainedValue): string {
  const s = e.source;
  if (s.kind === 'default') return 'default (lib/values/defaults.ts)';
  if (s.kind === 'override') return `clusters['${s.override}'] in ${s.file}${s.line ? `:${s.line}` : ''}`;
  return `${s.file}${s.line ? `:${s.line}` : ''}`;
}

export function explainValues(parsed: Record<string, unknown> & { clusters?: Record<string, unknown> }, cluster: string, file: string, lines: readonly string[]): ExplainedValue[] {
  const { clusters: overrides = {}, ...base } = parsed;
  const origins = new Map<string, string>();
  let effective: Record<string, unknown> = base;
  for (const key of matchingOverrideKeys(Object.keys(overrides), cluster)) {
    for (const leaf of leaves(overrides[key], '')) origins.set(leaf, key);
    effective = mergeOverride(effective, overrides[key]);
  }
  const out: ExplainedValue[] = [];
  walk(serviceSchema, effective, '', (at, value) => {
    const override = [...origins].filter(([leaf]) => leaf === at || leaf.startsWith(`${at}.`) || leaf.startsWith(`${at}[`)).map(([, key]) => key).at(-1);
    if (override) {
      const start = findLine(lines, ['clusters', override], 0);
      out.push({ path: at, value, source: { kind: 'override', file, override, line: findLine(lines, keysOf(at), start ?? 0) ?? start } });
    } else out.push({ path: at, value, source: { kind: 'values', file, line: findLine(lines, keysOf(at), 0) } });
  }, (at, text) => out.push({ path: at, source: { kind: 'default', file: 'lib/values/defaults.ts', default: text } }));
  return out;
}

/** Walks values along the schema: set leaves to `onValue`, unset fields with a documented default to `onDefault`. */
function walk(schema: z.ZodType, value: unknown, at: string, onValue: (at: string, value: unknown) => void, onDefault: (at: string, text: string) => void): void {
  const def = unwrap(schema)._zod.def;
  if (value === undefined) {
    const text = /Default: (.+?)\.?$/.exec(schema.description ?? unwrap(schema).description ?? '')?.[1];
    if (text) onDefault(at, text);
    return;
  }
  if (def.type === 'object' && isObject(value)) {
    for (const [key, field] of Object.entries(def.shape as Record<string, z.ZodType>)) if (key !== 'clusters') walk(field, value[key], at ? `${at}.${key}` : key, onValue, onDefault);
  } else if (def.type === 'record' && isObject(value)) {
    for (const [key, item] of Object.entries(value)) walk(def.valueType, item, `${at}.${key}`, onValue, onDefault);
  } else {
    onValue(at, value);
  }
}

function unwrap(schema: z.ZodType): any {
  let s: any = schema;
  while (['optional', 'default', 'pipe'].includes(s._zod.def.type)) s = s._zod.def.type === 'pipe' ? s._zod.def.in : s._zod.def.innerType;
  return s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function leaves(value: unknown, at: string): string[] {
  if (!isObject(value)) return [at];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, at ? `${at}.${k}` : k));
}

const keysOf = (at: string) => at.split('.');

/** The 1-based line of the last of `keys` written as `key:` (or quoted), each searched after the previous; undefined when not found. */
function findLine(lines: readonly string[], keys: readonly string[], from: number): number | undefined {
  let line = from;
  for (const key of keys) {
    const pattern = new RegExp(`(^|[\\s{,])(${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|'${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'|"${key}")\\s*:`);
    const found = lines.findIndex((l, i) => i >= line && pattern.test(l));
    if (found < 0) return undefined;
    line = found;
  }
  return line + 1;
}
