// Loaded with `node --import` by bench/run.mjs: reports the process's peak RSS when it exits.
process.on('exit', () => {
  process.stderr.write(`\nKP_BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
