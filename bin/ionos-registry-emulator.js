#!/usr/bin/env node
'use strict';
// The package bin: runs the compiled emulator CLI (build first: npm run build).
const { main } = require('../dist/bin/emulator.js');

main(process.argv.slice(2)).then((code) => process.exit(code));
