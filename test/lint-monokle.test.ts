import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { Manifest } from '../lib/manifest';
import { renderFleet } from '../lib/pipeline';
import { toYaml } from '../lib/yaml';
import { REPO } from './support/fleet';

/**
 * A third-party linter over what fleetchart renders: @monokle/validation with its offline plugins
 * (Pod Security Standards, Kubernetes best practices, metadata, resource links), every rule on,
 * over every example app on every cluster. Zero findings, or a waiver with a reason: fleet-wide in
 * lint/monokle.yaml, or a service's own as a monokle.io/suppress annotation.
 */

interface Waiver {
  rule: string;
  message?: string;
  kinds?: string[];
  reason: string;
}
interface Config {
  plugins: string[];
  customLabels: string[];
  waivers: Waiver[];
}
interface LintFinding {
  rule: string;
  message: string;
  kind: string;
  object: string;
}

const config = parse(fs.readFileSync(path.join(REPO, 'lint', 'monokle.yaml'), 'utf8')) as Config;

/** Runs monokle over the documents of one cluster; returns its findings. */
async function lint(documents: readonly Manifest[], cluster: string): Promise<LintFinding[]> {
  const monokle = await import('@monokle/validation');
  const parser = new monokle.ResourceParser();
  const validator = new monokle.MonokleValidator({ loader: new monokle.DefaultPluginLoader(), parser, suppressors: [new monokle.AnnotationSuppressor()], fixer: new monokle.DisabledFixer(), schemaLoader: new monokle.SchemaLoader() });
  const plugins = Object.fromEntries(config.plugins.map((p) => [p, true]));
  await validator.preload({ plugins });
  assert.deepEqual(validator.getFailedPlugins(), []);
  // Every rule of every plugin, including those monokle disables by default.
  const rules: Record<string, unknown> = {};
  for (const plugin of validator.getPlugins()) for (const rule of plugin.rules) rules[`${plugin.metadata.name}/${rule.name}`] = 'err';
  rules['metadata/custom-labels'] = ['err', config.customLabels];
  await validator.preload({ plugins, rules: rules as never });
  assert.ok(validator.getPlugins().every((p) => p.enabled));

  const resources = documents.map((doc, i) => ({
    id: `${cluster}#${i}`,
    fileId: `${cluster}#${i}`,
    filePath: `${cluster}/${doc.metadata.namespace ?? '_'}/${doc.kind}/${doc.metadata.name}.yaml`,
    fileOffset: 0,
    name: doc.metadata.name,
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    namespace: doc.metadata.namespace,
    content: doc,
    text: toYaml(doc),
  }));
  monokle.processRefs(resources, parser);
  const response = await validator.validate({ resources });
  const byPath = new Map(resources.map((r) => [r.filePath, r]));
  // A service's own waivers arrive as monokle.io/suppress.<rule> annotations (lib/constructs/metadata.ts).
  return response.runs.flatMap((run) =>
    run.results.filter((result) => !(result.suppressions ?? []).some((s) => s.status === 'accepted')).map((result) => {
      const resource = byPath.get(result.locations[0]?.physicalLocation?.artifactLocation.uri ?? '');
      assert.ok(resource, `finding ${result.ruleId} points at a rendered object`);
      return { rule: result.ruleId, message: result.message.text, kind: resource.kind, object: `${cluster} ${resource.kind} ${resource.namespace ?? ''}/${resource.name}` };
    }),
  );
}

function waiverFor(finding: LintFinding): Waiver | undefined {
  return config.waivers.find((w) => w.rule === finding.rule && (!w.kinds || w.kinds.includes(finding.kind)) && (!w.message || finding.message.includes(w.message)));
}

let findings: LintFinding[] = [];

before(async () => {
  const result = renderFleet(REPO);
  assert.deepEqual(result.findings, []);
  for (const cluster of result.clusters) {
    // The services' files and the cluster's platform file (the ingress gateway's identity objects).
    const documents = [...result.platform, ...result.files].filter((f) => f.cluster === cluster.name).flatMap((f) => f.documents);
    findings.push(...(await lint(documents, cluster.name)));
  }
});

describe('lint: @monokle/validation over every example app on every cluster', () => {
  it('finds nothing that lint/monokle.yaml does not waive with a reason', () => {
    const unwaived = findings.filter((f) => !waiverFor(f)).map((f) => `${f.rule} ${f.object}: ${f.message}`);
    assert.deepEqual(unwaived, []);
  });

  it('keeps only waivers that still match a finding, each with a reason', () => {
    for (const waiver of config.waivers) {
      assert.ok(waiver.reason && waiver.reason.length >= 40, `${waiver.rule} has a reason`);
      assert.ok(findings.some((f) => waiverFor(f) === waiver), `waiver ${waiver.rule} ${waiver.message ?? ''} matches no finding any more: remove it`);
    }
  });

  it('reports a privileged, root, latest-tagged pod (the linter is live)', async () => {
    const bad = structuredClone(renderFleet(REPO, { app: 'resident-preferences', cluster: 'stage-eu' }).files[0].documents.find((d) => d.kind === 'Deployment')!) as any;
    const container = bad.spec.template.spec.containers[0];
    container.image = 'nginx:latest';
    container.securityContext = { privileged: true, runAsUser: 0 };
    const rules = new Set((await lint([bad], 'control')).map((f) => f.rule));
    for (const rule of ['PSS103', 'PSS204', 'KBP001']) assert.ok(rules.has(rule), `${rule} in ${[...rules].join(', ')}`);
  });
});
