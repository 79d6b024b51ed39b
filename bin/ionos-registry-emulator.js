#!/usr/bin/env node
'use strict';
// The package bin: runs the compiled emulator CLI (build first: npx tsc -p tsconfig.build.json).
const { main } = require('../dist/lib/emulator/cli.js');

main(process.argv.slice(2)).then((code) => process.exit(code));
