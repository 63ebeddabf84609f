import * as fs from 'node:fs';
import * as path from 'node:path';
import { APPS_DIR, VALUES_FILE } from '../../load';
import { renderFleet } from '../../pipeline';
import { serviceSchema } from '../../values/schema';
import { Command, reportFindings } from '../command';

/** `fleetchart new <service>`: a documented, valid apps/<service>/values.ts to start from. */
export const newService: Command = {
  run(flags, io) {
    const name = flags.operand as string;
    const valid = serviceSchema.shape.name.safeParse(name);
    if (!valid.success) {
      io.err(`fleetchart new: <service>: expected a service name (lowercase letters, digits and '-', at most 30 characters, starting with a letter), got '${name}'`);
      return 2;
    }
    const file = path.join(io.root, APPS_DIR, name, VALUES_FILE);
    const relative = path.relative(io.root, file);
    if (fs.existsSync(file)) {
      io.err(`fleetchart new: ${relative} exists; refusing to overwrite it (edit it, or pick another name)`);
      return 1;
    }
    const team = (flags.team as string | undefined) ?? 'my-team';
    // In this repository values files import lib/ itself; in a service repository, the package.
    const from = fs.existsSync(path.join(io.root, 'lib', 'index.ts')) ? '../../lib' : 'fleetchart';
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, scaffold(name, team, (flags.image as string | undefined) ?? `registry.example.com/${team}/${name}`, from));
    const check = renderFleet(io.root, { app: name });
    if (reportFindings(check.findings, io, `${relative} was written anyway: fix those lines`)) return 1;
    io.out(`wrote   ${relative}`);
    io.out(`next: set team, image and release.default, then 'npx fleetchart validate --app ${name}' and 'npx fleetchart explain ${name} --cluster <name>'`);
    return 0;
  },
};

const describe = (field: keyof typeof serviceSchema.shape) => serviceSchema.shape[field].description ?? '';

function scaffold(name: string, team: string, image: string, from: string): string {
  return `import { service } from '${from}';

// ${name}. Hover any field in your editor for its documentation; the README's values table lists
// them all. 'npx fleetchart explain ${name} --cluster <name>' shows every value after defaults and
// overrides, and where each comes from.
export default service({
  // ${describe('name')}
  name: '${name}',
  // ${describe('team')}
  team: '${team}',
  // ${describe('image')}
  image: '${image}',
  // ${describe('release')}
  // Prod clusters run images by digest: replace the zeros with your image's digest
  // (e.g. 'crane digest <image>:0.1.0'); stage clusters also accept the tag alone.
  release: { default: '0.1.0@sha256:${'0'.repeat(64)}' },
  // ${describe('processes')}
  processes: {
    web: {
      // Serving process: the first port is probed for readiness. Replicas, cpu and memory have defaults.
      ports: [{ name: 'http', port: 8080 }],
    },
  },
  // Per-cluster overrides, e.g. one replica in stage:
  // clusters: { 'stage-*': { processes: { web: { replicas: 1 } } } },
});
`;
}
