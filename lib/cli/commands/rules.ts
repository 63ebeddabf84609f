import { RULES } from '../../validate/catalog';
import type { Command } from '../command';

export const rules: Command = {
  run(flags, io) {
    if (flags.json) {
      io.out(JSON.stringify(RULES, null, 2));
      return 0;
    }
    for (const rule of RULES) io.out(`${rule.id.padEnd(14)} ${rule.severity.padEnd(8)} ${rule.waivable ? 'waivable' : '        '}  ${rule.summary}`);
    return 0;
  },
};
