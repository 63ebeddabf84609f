import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderFleet } from '../../pipeline';
import { Command, OUTPUT_DIR, reportFindings, selection } from '../command';

interface ObjectChange {
  readonly file: string;
  readonly object: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Changed field paths, for `changed`. */
  readonly fields: readonly string[];
}

export const diff: Command = {
  run(flags, io) {
    const result = renderFleet(io.root, selection(flags));
    if (reportFindings(result.findings, io, 'nothing to compare')) return 1;
    const outDir = path.resolve(io.root, (flags.out as string | undefined) ?? OUTPUT_DIR);
    const changes: ObjectChange[] = [];
    const rendered = new Set<string>();
    for (const file of [...result.platform, ...result.files]) {
      rendered.add(file.path);
      const target = path.join(outDir, file.path);
      const before = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
      if (before !== file.content) changes.push(...compare(file.path, before, file.content));
    }
    const full = flags.cluster === undefined && flags.app === undefined;
    if (full && fs.existsSync(outDir)) {
      for (const entry of fs.readdirSync(outDir, { recursive: true }) as string[]) {
        if (entry.endsWith('.k8s.yaml') && !rendered.has(entry)) changes.push(...compare(entry, fs.readFileSync(path.join(outDir, entry), 'utf8'), ''));
      }
    }
    if (flags.json) io.out(JSON.stringify(changes, null, 2));
    else {
      for (const c of changes) io.out(`${c.change.padEnd(8)} ${c.file}  ${c.object}${c.fields.length ? `: ${c.fields.join(', ')}` : ''}`);
      const files = new Set(changes.map((c) => c.file)).size;
      io.out(changes.length ? `${changes.length} object changes in ${files} files` : 'no changes');
    }
    return changes.length && flags['exit-code'] ? 3 : 0;
  },
};

function objects(content: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const doc of parseAllDocuments(content)) {
    const value = doc.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    if (value?.kind) out.set(`${value.kind} ${value.metadata?.namespace ? `${value.metadata.namespace}/` : ''}${value.metadata?.name}`, value);
  }
  return out;
}

function compare(file: string, before: string, after: string): ObjectChange[] {
  const a = objects(before);
  const b = objects(after);
  const changes: ObjectChange[] = [];
  for (const [key, value] of b) {
    if (!a.has(key)) changes.push({ file, object: key, change: 'added', fields: [] });
    else {
      const fields: string[] = [];
      changedPaths(a.get(key), value, '', fields);
      if (fields.length) changes.push({ file, object: key, change: 'changed', fields });
    }
  }
  for (const key of a.keys()) if (!b.has(key)) changes.push({ file, object: key, change: 'removed', fields: [] });
  return changes;
}

/** Leaf paths that differ, e.g. `spec.template.spec.containers[0].image`. */
function changedPaths(a: unknown, b: unknown, at: string, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null;
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => changedPaths(item, b[i], `${at}[${i}]`, out));
  } else if (isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const key of [...keys].sort()) changedPaths((a as any)[key], (b as any)[key], at ? `${at}.${key}` : key, out);
  } else {
    out.push(at || '(whole object)');
  }
}
