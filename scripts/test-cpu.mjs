// Loaded by scripts/run-tests.mjs into each test process (`--import`): when the process exits it
// writes the CPU it used — its own user+system time (every thread) plus that of the child processes
// it waited for (Chromium, a spawned node, `node --test`'s subprocess) — to
// $TONGBAN_TEST_CPU_DIR/<pid>.json, in milliseconds. The runner reads the file of the pid it spawned.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.TONGBAN_TEST_CPU_DIR;
if (dir) {
  process.once('exit', () => {
    try {
      const ru = process.resourceUsage();
      let children = 0;
      try {
        // /proc/self/stat: fields 16 and 17 are cutime and cstime, in clock ticks (100 per second)
        const stat = readFileSync('/proc/self/stat', 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        children = ((Number(f[13]) || 0) + (Number(f[14]) || 0)) * 10;
      } catch {
        /* not Linux: own time only */
      }
      const self = (ru.userCPUTime + ru.systemCPUTime) / 1000;
      writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ self, children }));
    } catch {
      /* measuring must never fail a test */
    }
  });
}
