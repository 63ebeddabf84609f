import * as path from 'node:path';
import { renderFleetOutput } from '../../parallel';
import { writeOutputs } from '../../write';
import { Command, OUTPUT_DIR, progress, reportFindings, selection } from '../command';

export const synth: Command = {
  async run(flags, io) {
    progress(io, 'rendering and checking the fleet');
    const result = await renderFleetOutput(io.root, selection(flags));
    if (reportFindings(result.findings, io)) return 1;
    const outDir = path.resolve(io.root, (flags.out as string | undefined) ?? process.env.CDK8S_OUTDIR ?? OUTPUT_DIR);
    const full = flags.cluster === undefined && flags.app === undefined;
    const written = [...result.platform, ...result.files];
    const summary = writeOutputs(outDir, written, {
      clusters: result.clusters.map((c) => c.name),
      apps: flags.app === undefined ? undefined : result.apps,
      inventory: full ? result.inventory.map((c) => c.name) : undefined,
    });
    const objects = written.reduce((n, f) => n + f.objects, 0);
    for (const file of summary.written) io.out(`wrote   ${path.relative(io.root, path.join(outDir, file))}`);
    for (const file of summary.removed) io.out(`removed ${path.relative(io.root, path.join(outDir, file))}`);
    io.out(`${result.apps.length} services × ${result.clusters.length} clusters: ${objects} objects in ${written.length} files (${summary.written.length} written, ${summary.unchanged} unchanged, ${summary.removed.length} removed)`);
    return 0;
  },
};
