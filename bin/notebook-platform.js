#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
// First, before @pulumi/pulumi loads: defer the SDK modules `check` never uses (58 MB, see the module).
require('../dist/components/offline/defer-modules.js').deferUnusedSdkModules();
require('../dist/cli/main.js').run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
