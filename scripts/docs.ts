/**
 * Regenerates the generated sections of README.md from their single sources: the values
 * reference from the zod schema, the CLI reference from the commands, the rules table from the
 * rule catalog. Run: npm run docs. A test fails when README.md is out of date.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readmeSections, renderReadme } from '../lib/docs';

const file = path.join(__dirname, '..', 'README.md');
const updated = renderReadme(fs.readFileSync(file, 'utf8'), readmeSections());
fs.writeFileSync(file, updated);
console.log('README.md: generated sections updated');
