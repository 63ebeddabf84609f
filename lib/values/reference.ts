import type { z } from 'zod';
import { serviceSchema } from './schema';

/**
 * The values reference for the README, generated from the schema's `.describe()` texts so the
 * documentation and the contract cannot drift apart. `npm run docs` rewrites the README section.
 */
export function valuesReference(): string {
  const rows: string[] = ['| Field | Type | Required | Meaning |', '| --- | --- | --- | --- |'];
  walk(serviceSchema, '', rows, true);
  return rows.join('\n');
}

function walk(schema: z.ZodType, path: string, rows: string[], required: boolean): void {
  const { inner, optional } = unwrap(schema);
  const def = (inner as any)._zod.def;
  if (path) rows.push(`| \`${path}\` | ${typeName(inner)} | ${required && !optional ? 'yes' : ''} | ${escape(schema.description ?? inner.description ?? '')} |`);
  if (path.endsWith('clusters.*')) return; // overrides repeat the service fields
  if (def.type === 'object') {
    for (const [key, field] of Object.entries(def.shape as Record<string, z.ZodType>)) walk(field, path ? `${path}.${key}` : key, rows, true);
  } else if (def.type === 'record' && unwrap(def.valueType).inner._zod.def.type === 'object') {
    walk(def.valueType, `${path}.<name>`.replace('clusters.<name>', 'clusters.*'), rows, true);
  } else if (def.type === 'array') {
    const element = unwrap(def.element).inner as any;
    if (element._zod.def.type === 'object') walk(def.element, `${path}[]`, rows, true);
  } else if (def.type === 'union') {
    const object = def.options.find((o: any) => unwrap(o).inner._zod.def.type === 'object');
    if (object) for (const [key, field] of Object.entries((unwrap(object).inner as any)._zod.def.shape as Record<string, z.ZodType>)) walk(field, `${path}.${key}`, rows, true);
  }
}

function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean } {
  let s: any = schema;
  let optional = false;
  while (['optional', 'default', 'pipe'].includes(s._zod.def.type)) {
    if (s._zod.def.type !== 'pipe') optional = true;
    s = s._zod.def.type === 'pipe' ? s._zod.def.in : s._zod.def.innerType;
  }
  return { inner: s, optional };
}

function typeName(schema: z.ZodType): string {
  const def = (schema as any)._zod.def;
  switch (def.type) {
    case 'enum':
      return Object.values(def.entries as Record<string, string>).map((v) => `\`'${v}'\``).join(' \\| ');
    case 'literal':
      return def.values.map((v: unknown) => `\`${JSON.stringify(v)}\``).join(' \\| ');
    case 'record':
      return 'map';
    case 'array':
      return `list of ${typeName(unwrap(def.element).inner)}`;
    case 'union':
      return def.options.map((o: z.ZodType) => typeName(unwrap(o).inner)).join(' \\| ');
    case 'number':
      return (def.checks ?? []).some((c: any) => c._zod.def.format === 'safeint' || c._zod.def.check === 'number_format') ? 'integer' : 'number';
    default:
      return def.type;
  }
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
