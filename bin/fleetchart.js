#!/usr/bin/env node
'use strict';
// Values files are TypeScript: register the tsx loader, then hand over to the CLI.
require('tsx/cjs');
require('../lib/cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => (process.exitCode = code));
