import { parser } from '@prometheus-io/lezer-promql';

/**
 * PromQL syntax errors, found by Prometheus's own PromQL grammar for the browser
 * (@prometheus-io/lezer-promql, the parser of the Prometheus UI's editor). lezer parsers recover
 * from errors, marking each with an error node: every such node is a problem.
 * Returns '' when the expression parses, else where and what failed.
 */
export function promqlError(expr: string): string {
  // Services differ in their label values only: parse each shape once (strings blanked).
  const shape = expr.replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
  if (PARSES.has(shape)) return '';
  const error = parseError(expr);
  if (!error) PARSES.add(shape);
  return error;
}

const PARSES = new Set<string>();

function parseError(expr: string): string {
  if (expr.trim() === '') return 'the expression is empty';
  const tree = parser.parse(expr);
  let error = '';
  tree.iterate({
    enter: (node) => {
      if (error || !node.type.isError) return error ? false : undefined;
      const at = node.from;
      const line = expr.slice(0, at).split('\n').length;
      const column = at - expr.lastIndexOf('\n', at - 1);
      const near = expr.slice(at, at + 20).split('\n')[0];
      error = `syntax error at line ${line}, column ${column}${near ? ` near '${near}'` : ' (unexpected end)'}`;
      return false;
    },
  });
  return error;
}
