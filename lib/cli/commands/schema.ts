import { z } from 'zod';
import { inventorySchema } from '../../clusters/schema';
import { serviceSchema } from '../../values/schema';
import { Command } from '../command';

/** JSON Schema (draft 2020-12) of what values files accept, from zod v4's own `z.toJSONSchema`. */
export function valuesJsonSchema(of: 'values' | 'clusters' = 'values'): Record<string, unknown> {
  // io 'input': what a file may write (optional fields optional). Refinements and custom checks
  // (e.g. known rule ids) have no JSON Schema form: `unrepresentable: 'any'` leaves them to validate.
  return z.toJSONSchema(of === 'values' ? serviceSchema : inventorySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export const schema: Command = {
  run(flags, io) {
    const of = (flags.of as string | undefined) ?? 'values';
    if (of !== 'values' && of !== 'clusters') {
      io.err(`fleetchart schema: --of: expected 'values' or 'clusters', got '${of}'`);
      return 2;
    }
    io.out(JSON.stringify(valuesJsonSchema(of), null, 2));
    return 0;
  },
};
