import { helpText } from './cli/main';
import { RULES } from './validate/catalog';
import { valuesReference } from './values/reference';

/** The README sections generated from code, by marker name. */
export function readmeSections(): Record<string, string> {
  return {
    'values-reference': valuesReference(),
    cli: ['```text', helpText(), '```'].join('\n'),
    rules: [
      '| Rule | Severity | Waivable | What it demands |',
      '| --- | --- | --- | --- |',
      ...RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.waivable ? 'yes' : 'no'} | ${r.summary.replace(/\|/g, '\\|')} |`),
    ].join('\n'),
  };
}

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`. */
export function renderReadme(readme: string, sections: Record<string, string>): string {
  let out = readme;
  for (const [name, body] of Object.entries(sections)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${start} … ${end}`);
    out = `${out.slice(0, from + start.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
