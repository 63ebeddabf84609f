/**
 * Regenerates the generated sections of README.md from their single sources: the values
 * reference from the zod schema, the CLI reference from the commands, the rules table from the
 * rule catalog; and lib/values/types.generated.ts (the values types with each field's description
 * as JSDoc, for editor hover) from the schema. Run: npm run docs. Tests fail when either is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readmeSections, renderReadme } from '../lib/docs';
import { GENERATED_TYPES_FILE, generatedTypes } from '../lib/values/typegen';

const file = path.join(__dirname, '..', 'README.md');
const updated = renderReadme(fs.readFileSync(file, 'utf8'), readmeSections());
fs.writeFileSync(file, updated);
console.log('README.md: generated sections updated');
fs.writeFileSync(path.join(__dirname, '..', GENERATED_TYPES_FILE), generatedTypes());
console.log(`${GENERATED_TYPES_FILE}: regenerated`);
