#!/usr/bin/env node
'use strict';
// The CLI: lib/ precompiled in dist/ when that build is current, else lib/ compiled as it loads
// (bin/runtime.js). A copy of this file next to a lib/ folder alone runs that lib/ through tsx.
let runtime;
try {
  runtime = require('./runtime');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !error.message.includes('./runtime')) throw error;
}
let cli;
if (runtime) {
  cli = runtime.loadLib('cli/main');
} else {
  require('tsx/cjs');
  cli = require('../lib/cli/main.ts');
}
cli.main(process.argv.slice(2)).then((code) => (process.exitCode = code));
