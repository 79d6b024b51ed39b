#!/usr/bin/env node
'use strict';
// The package bin: plan summaries and drift checks of RegistryToken stacks (docs/operations.md).
// Runs the compiled CLI (build first: npm run build).
const { main } = require('../dist/bin/cli.js');

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
