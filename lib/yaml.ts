/**
 * A small deterministic YAML writer for manifest data (JSON-compatible values only). Keys are
 * sorted, strings that a YAML 1.1 or 1.2 reader could take for anything but a string are quoted,
 * and the output is the same on every machine. Faster than a general YAML library, which
 * matters when thousands of services are rendered per pull request.
 *
 * Layout: a block value starts on the line of its key (`key:`) or item (`- `); nested blocks are
 * indented two spaces deeper than their parent; `[]` and `{}` are written inline. The writer
 * collects pieces and joins them once per call instead of building lines, and remembers how
 * repeated keys and values are spelled (test/performance-equivalence.test.ts guards that the
 * output stays byte for byte what the line-based writer produced).
 */
export function toYaml(value: unknown): string {
  parts = [];
  emitDocument(value);
  return finish();
}

/** Several documents, separated the way kubectl expects. */
export function toYamlDocuments(documents: readonly unknown[]): string {
  parts = [];
  for (let i = 0; i < documents.length; i++) {
    if (i > 0) parts.push('---\n');
    emitDocument(documents[i]);
  }
  return finish();
}

const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@%+=,-]*(?:[:][A-Za-z0-9_./@%+=,-]+)*$/;
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

/** Manifests repeat the same keys and values (labels, kinds, names): remember their spelling. */
const scalars = new Map<string, string>();
const SCALAR_CACHE_LIMIT = 100_000;

export function scalar(value: string): string {
  let written = scalars.get(value);
  if (written === undefined) {
    written = PLAIN.test(value) && !AMBIGUOUS.test(value) ? value : JSON.stringify(value);
    if (value.length <= 256) {
      if (scalars.size >= SCALAR_CACHE_LIMIT) scalars.clear();
      scalars.set(value, written);
    }
  }
  return written;
}

/**
 * The pieces of the output being written. Joined once at the end, so the result is one flat
 * string (appending to a string would keep every piece alive as a rope until it is read).
 */
let parts: string[] = [];
/** Whether the current document has a line yet. */
let started = false;

function emitDocument(value: unknown): void {
  started = false;
  const simple = leaf(value);
  if (simple !== undefined) newLine(simple);
  else emitBlock(value as object, 0, false);
  parts.push('\n');
}

function finish(): string {
  const text = parts.join('');
  parts = [];
  return text;
}

const INDENTS: string[] = [''];
function indentOf(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(INDENTS[INDENTS.length - 1] + '  ');
  return INDENTS[depth];
}

/** A value written on the current line, or undefined for a non-empty object or array. */
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
      if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
      return Object.keys(value).length === 0 ? '{}' : undefined;
    default:
      throw new Error(`cannot write a ${typeof value} as YAML`);
  }
}

function newLine(text: string): void {
  if (started) parts.push('\n');
  started = true;
  parts.push(text);
}

/**
 * A non-empty object or array at `depth`. `item` says it starts right after `- `: its first key
 * goes on that line.
 */
function emitBlock(value: object, depth: number, item: boolean): void {
  const indent = indentOf(depth);
  if (Array.isArray(value)) {
    for (const element of value) {
      newLine(indent);
      parts.push('-');
      const simple = leaf(element);
      if (simple !== undefined) parts.push(' ', simple);
      else emitBlock(element as object, depth + 1, true);
    }
    return;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let first = true;
  for (const key of keys) {
    const child = object[key];
    if (child === undefined) continue;
    if (item && first) parts.push(' ', scalar(key), ':');
    else {
      newLine(indent);
      parts.push(scalar(key), ':');
    }
    first = false;
    const simple = leaf(child);
    if (simple !== undefined) parts.push(' ', simple);
    else emitBlock(child as object, depth + 1, false);
  }
}
