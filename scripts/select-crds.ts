/**
 * Copies the CRDs fleetchart renders out of the vendored upstream bundles (lib/crds/*.yaml) into
 * lib/crds/used/, one file per kind, so `cdk8s import` generates classes for those kinds only.
 * Run: node --require tsx/cjs scripts/select-crds.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

export const USED_KINDS: Record<string, string[]> = {
  'istio-1.30.3-crd-all.gen.yaml': ['VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'EnvoyFilter', 'ServiceEntry'],
  'prometheus-operator-v0.93.0-servicemonitors.yaml': ['ServiceMonitor'],
  'prometheus-operator-v0.93.0-podmonitors.yaml': ['PodMonitor'],
  'prometheus-operator-v0.93.0-prometheusrules.yaml': ['PrometheusRule'],
};

const crdDir = path.join(__dirname, '..', 'lib', 'crds');
const outDir = path.join(crdDir, 'used');
fs.mkdirSync(outDir, { recursive: true });
for (const [bundle, kinds] of Object.entries(USED_KINDS)) {
  const docs = parseAllDocuments(fs.readFileSync(path.join(crdDir, bundle), 'utf8')).map((d) => d.toJS());
  for (const kind of kinds) {
    const crd = docs.find((d) => d?.kind === 'CustomResourceDefinition' && d.spec?.names?.kind === kind);
    if (!crd) throw new Error(`${bundle} has no CRD for ${kind}`);
    const file = path.join(outDir, `${crd.spec.group}_${crd.spec.names.plural}.yaml`);
    fs.writeFileSync(file, `# Extracted from lib/crds/${bundle} by scripts/select-crds.ts; do not edit.\n${fs.readFileSync(path.join(crdDir, bundle), 'utf8').split(/^---$/m).find((chunk) => new RegExp(`^\\s+kind: ${kind}$`, 'm').test(chunk) && /kind: CustomResourceDefinition/.test(chunk))!.trim()}\n`);
    console.log(`${path.relative(process.cwd(), file)}`);
  }
}
