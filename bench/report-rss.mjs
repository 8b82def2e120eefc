// Loaded with `node --import` by bench/run.mjs: reports the process's peak RSS, and the CPU time its
// threads used (user + system, microseconds), when it exits.
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`\nKP_BENCH_MAXRSS_KB=${u.maxRSS}\nKP_BENCH_CPU_US=${u.userCPUTime + u.systemCPUTime}\n`);
});
