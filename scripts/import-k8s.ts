/**
 * Regenerates lib/imports/k8s.ts, the typed Kubernetes API that lib/constructs/ renders with, for
 * the oldest Kubernetes version fleetchart supports (OLDEST_SUPPORTED in lib/validate/schemas/vendor.ts):
 *
 *   node --require tsx/cjs scripts/import-k8s.ts [<k8s.io/kubernetes module dir>]
 *
 * It runs cdk8s's own Kubernetes importer (cdk8s-cli ImportKubernetesApi, what `cdk8s import
 * k8s@<version>` runs) on the upstream swagger definitions of the k8s.io/kubernetes module (from
 * the Go module proxy, `go mod download`), trimmed to the `$ref` closure of the kinds fleetchart
 * renders. `cdk8s import k8s@…` itself downloads its schema from GitHub, which this project cannot
 * reach, so the importer is handed the local file instead (its `download` reads plain paths).
 * IntOrString and Quantity become `oneOf` string/number, as in cdk8s's published schemas
 * (cdk8s-team/cdk8s kubernetes-schemas), so the generated classes are `IntOrString.fromNumber` etc.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KUBERNETES_KINDS, OLDEST_SUPPORTED, moduleDir } from '../lib/validate/schemas/vendor';

type Schema = Record<string, any>;

const REF = '#/definitions/';

function closure(definitions: Record<string, Schema>, roots: string[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (out[name]) continue;
    out[name] = definitions[name];
    JSON.stringify(out[name], (key, value) => {
      if (key === '$ref' && typeof value === 'string') queue.push(value.slice(REF.length));
      return value;
    });
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

async function main(): Promise<void> {
  const version = OLDEST_SUPPORTED.module;
  const dir = process.argv[2] ?? moduleDir(version);
  const swagger = JSON.parse(fs.readFileSync(path.join(dir, 'api/openapi-spec/swagger.json'), 'utf8'));
  const all: Record<string, Schema> = swagger.definitions;
  const roots: string[] = [];
  for (const kind of KUBERNETES_KINDS) {
    const root = Object.keys(all).find((name) =>
      (all[name]['x-kubernetes-group-version-kind'] ?? []).some((g: any) => `${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}` === kind),
    );
    if (!root) throw new Error(`${kind} is not in Kubernetes ${version}`);
    roots.push(root);
  }
  const definitions = closure(all, roots);
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  if (definitions['io.k8s.apimachinery.pkg.api.resource.Quantity']) {
    definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fleetchart-k8s-')), '_definitions.json');
  fs.writeFileSync(file, JSON.stringify({ definitions }));

  // cdk8s-cli's importer fetches https://raw.githubusercontent.com/.../_definitions.json: point it at the local file.
  // cdk8s-cli exports no subpaths: load its modules by file.
  const cli = path.resolve(__dirname, '..', 'node_modules', 'cdk8s-cli', 'lib');
  const util = require(path.join(cli, 'util.js'));
  const download = util.download;
  util.download = (url: string) => (url.endsWith('/_definitions.json') ? download(file) : download(url));
  const { ImportKubernetesApi } = require(path.join(cli, 'import', 'k8s.js'));
  const importer = new ImportKubernetesApi({ apiVersion: version.replace(/^v/, '') });
  const outdir = path.resolve(__dirname, '..', 'lib', 'imports');
  await importer.import({ targetLanguage: 'typescript', outdir, classNamePrefix: 'Kube' });
  console.log(`lib/imports/k8s.ts: Kubernetes ${version}, ${roots.length} kinds, ${Object.keys(definitions).length} definitions`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
