#!/usr/bin/env node
'use strict';
// Values files are TypeScript: register the tsx loader, then hand over to the CLI.
require('tsx/cjs');
process.exitCode = require('../lib/cli/main.ts').main(process.argv.slice(2));
