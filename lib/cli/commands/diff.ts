import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderFleet } from '../../pipeline';
import { compareRenders } from '../../release/impact';
import { formatChanges } from '../../release/report';
import { isOutputFile, outputFiles } from '../../write';
import { Command, OUTPUT_DIR, progress, reportFindings, selection } from '../command';

export const diff: Command = {
  run(flags, io) {
    progress(io, 'rendering and checking the fleet');
    const result = renderFleet(io.root, selection(flags));
    if (reportFindings(result.findings, io, 'nothing to compare')) return 1;
    const outDir = path.resolve(io.root, (flags.out as string | undefined) ?? OUTPUT_DIR);
    const before = new Map<string, string>();
    const files = outputFiles(result);
    const after = new Map(files.map((f) => [f.path, f.content]));
    for (const file of files) {
      const target = path.join(outDir, file.path);
      if (fs.existsSync(target)) before.set(file.path, fs.readFileSync(target, 'utf8'));
    }
    // Files of services or clusters that are gone count only when the whole fleet was rendered.
    const full = flags.cluster === undefined && flags.app === undefined;
    if (full && fs.existsSync(outDir)) {
      for (const entry of fs.readdirSync(outDir, { recursive: true }) as string[]) {
        if (isOutputFile(entry) && !after.has(entry)) before.set(entry, fs.readFileSync(path.join(outDir, entry), 'utf8'));
      }
    }
    const changes = compareRenders(before, after);
    if (flags.json) io.out(JSON.stringify(changes, null, 2));
    else for (const line of formatChanges(changes)) io.out(line);
    return changes.length && flags['exit-code'] ? 3 : 0;
  },
};
