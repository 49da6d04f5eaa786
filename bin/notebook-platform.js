#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ (`npm ci` and `npm install` build it through the
// `prepare` script; `npm run build` rebuilds it).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
if (!existsSync(join(dist, 'cli', 'main.js')) || !existsSync(join(dist, 'offline', 'defer-modules.js'))) {
  process.stderr.write(`notebook-platform: the CLI is not built (${join(dist, 'cli', 'main.js')} is missing): run \`npm run build\` in ${join(__dirname, '..')}\n`);
  process.exit(2);
}
// First, before @pulumi/pulumi loads: defer the SDK modules `check` never uses (58 MB, see the module).
require('../dist/offline/defer-modules.js').deferUnusedSdkModules();
require('../dist/cli/main.js').run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
