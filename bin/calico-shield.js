#!/usr/bin/env node
const { run } = require('../build/cli.js');
process.exitCode = run(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), cwd: process.cwd(), stdin: () => (process.stdin.isTTY ? undefined : require('node:fs').readFileSync(0, 'utf8')) });
