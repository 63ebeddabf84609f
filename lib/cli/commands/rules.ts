import { RULES } from '../../validate/catalog';
import type { Command } from '../command';

export const rules: Command = {
  name: 'rules',
  summary: 'List the platform rules: id, severity, whether a service may waive it, and what it demands.',
  flags: [{ name: 'json', type: 'boolean', help: 'Print JSON instead of a table.' }],
  run(flags, io) {
    if (flags.json) {
      io.out(JSON.stringify(RULES, null, 2));
      return 0;
    }
    for (const rule of RULES) io.out(`${rule.id.padEnd(14)} ${rule.severity.padEnd(8)} ${rule.waivable ? 'waivable' : '        '}  ${rule.summary}`);
    return 0;
  },
};
