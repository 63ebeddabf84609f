/**
 * A small deterministic YAML writer for manifest data (JSON-compatible values only). Keys are
 * sorted, strings that a YAML 1.1 or 1.2 reader could take for anything but a string are quoted,
 * and the output is the same on every machine. Faster than a general YAML library, which
 * matters when thousands of services are rendered per pull request.
 */
export function toYaml(value: unknown): string {
  const lines: string[] = [];
  emitValue(value, '', lines, 'top');
  return lines.join('\n') + '\n';
}

/** Several documents, separated the way kubectl expects. */
export function toYamlDocuments(documents: readonly unknown[]): string {
  return documents.map(toYaml).join('---\n');
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@%+=,-]*(?:[:][A-Za-z0-9_./@%+=,-]+)*$/;
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

export function scalar(value: string): string {
  return PLAIN.test(value) && !AMBIGUOUS.test(value) ? value : JSON.stringify(value);
}

function leaf(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return scalar(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value) && value.length === 0) return '[]';
      if (!Array.isArray(value) && Object.keys(value).length === 0) return '{}';
      return undefined;
    default:
      throw new Error(`cannot write a ${typeof value} as YAML`);
  }
}

function sortedKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `context` says where the value starts: at the top level, after `key:` or after `- `.
 * Nested blocks are indented two spaces deeper than their parent.
 */
function emitValue(value: unknown, indent: string, lines: string[], context: 'top' | 'key' | 'item'): void {
  const simple = leaf(value);
  if (simple !== undefined) {
    if (context === 'top') lines.push(simple);
    else lines[lines.length - 1] += ` ${simple}`;
    return;
  }
  if (Array.isArray(value)) {
    const itemIndent = context === 'top' ? indent : indent;
    for (const item of value) {
      lines.push(`${itemIndent}-`);
      emitValue(item, itemIndent + '  ', lines, 'item');
    }
    return;
  }
  const object = value as Record<string, unknown>;
  let first = true;
  for (const key of sortedKeys(object)) {
    const line = `${scalar(key)}:`;
    if (context === 'item' && first) lines[lines.length - 1] += ` ${line}`;
    else lines.push(`${indent}${line}`);
    first = false;
    const child = object[key];
    const childLeaf = leaf(child);
    if (childLeaf !== undefined) lines[lines.length - 1] += ` ${childLeaf}`;
    else emitValue(child, Array.isArray(child) ? indent + '  ' : indent + '  ', lines, 'key');
  }
}
