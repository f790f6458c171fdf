// Preloaded with `node -r` by bench/measure.ts when /usr/bin/time is missing: writes the
// process's peak RSS (KiB) and user and system CPU time (seconds) to $BENCH_USAGE_FILE when
// it exits, in the format of `/usr/bin/time -f "%M %U %S"`.
const fs = require('fs');

process.on('exit', () => {
  const u = process.resourceUsage();
  fs.writeFileSync(process.env.BENCH_USAGE_FILE, `${u.maxRSS} ${u.userCPUTime / 1e6} ${u.systemCPUTime / 1e6}\n`);
});
