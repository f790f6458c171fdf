#!/usr/bin/env node
require('../build/cli.js').main();
