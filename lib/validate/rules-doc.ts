import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from './catalog';

/**
 * lib/validate/RULES.md, generated from the catalog (test/validate-docs.test.ts keeps it in sync):
 *
 *   node --require tsx/cjs lib/validate/rules-doc.ts
 */

const LIB = path.resolve(__dirname, '..');
const STAGES: readonly { dir: string; name: string }[] = [
  { dir: 'values', name: 'values (resolve)' },
  { dir: path.join('validate', 'rules'), name: 'rendered objects (validate)' },
];

/** Which stages check a rule: the folders whose sources name its id. */
function stagesOf(id: string, sources: ReadonlyMap<string, string>): string {
  const names = STAGES.filter((stage) => sources.get(stage.dir)!.includes(`'${id}'`)).map((s) => s.name);
  return names.join(', ') || '—';
}

function readSources(): Map<string, string> {
  const out = new Map<string, string>();
  for (const stage of STAGES) {
    const dir = path.join(LIB, stage.dir);
    out.set(stage.dir, fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n'));
  }
  return out;
}

export function rulesMarkdown(): string {
  const sources = readSources();
  const lines = [
    '# fleetchart rules',
    '',
    '<!-- Generated from lib/validate/catalog.ts by `node --require tsx/cjs lib/validate/rules-doc.ts`; do not edit. -->',
    '',
    'Every check that can stop `fleetchart synth` or `fleetchart validate`. A finding prints as',
    '`<values file>: <path>: <what was expected, what was found, how to fix it> [<rule id>] (cluster <name>)`.',
    '',
    'A rule marked waivable can be waived per service with a reason of at least 10 characters:',
    "`waivers: { 'FC-IMG-002': 'nightly build for the clinical pilot' }`. The reason is rendered as the",
    'annotation `waiver.fleetchart.io/<rule id>` on the Namespace and Deployments. Waiving a rule that is not',
    'waivable, or an unknown rule id, is itself an error.',
    '',
    '| Rule | Severity | Waivable | Checked on | What it demands |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const rule of RULES) {
    lines.push(`| ${rule.id} | ${rule.severity} | ${rule.waivable ? 'yes' : 'no'} | ${stagesOf(rule.id, sources)} | ${rule.summary.replace(/\|/g, '\\|')} |`);
  }
  lines.push(
    '',
    'Schemas: rendered objects are checked against the Kubernetes v1.27 OpenAPI definitions and the CRD',
    'schemas of Istio 1.30 and prometheus-operator 0.93, vendored under lib/validate/schemas/ (see SOURCES',
    'there); fields and kinds removed by Kubernetes v1.34 are reported too. CEL rules of CRDs',
    '(x-kubernetes-validations) are not evaluated.',
    '',
  );
  return lines.join('\n');
}

export const RULES_FILE = path.join(__dirname, 'RULES.md');

if (require.main === module) {
  fs.writeFileSync(RULES_FILE, rulesMarkdown());
  console.log(`wrote ${path.relative(process.cwd(), RULES_FILE)}`);
}
