import { renderFleet } from '../../pipeline';
import { Command, progress, reportFindings, selection } from '../command';

export const validate: Command = {
  run(flags, io) {
    progress(io, 'rendering and checking the fleet');
    const result = renderFleet(io.root, selection(flags));
    if (reportFindings(result.findings, io, 'see the lines above')) return 1;
    io.out(`ok: ${result.apps.length} services × ${result.clusters.length} clusters, ${result.files.length} manifests checked`);
    return 0;
  },
};
