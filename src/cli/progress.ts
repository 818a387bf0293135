import type { Progress } from './cli.types.js';

/** A progress bar on a terminal; periodic lines when the output is a file or a pipe. */
export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  let done = 0;
  const start = Date.now();
  let lastDraw = 0;
  const tty = stream.isTTY === true;
  const draw = (final = false) => {
    const now = Date.now();
    if (!final && now - lastDraw < (tty ? 100 : 5000)) return;
    lastDraw = now;
    const pct = total > 0 ? Math.min(100, (done / total) * 100) : 100;
    const secs = (now - start) / 1000;
    const rate = secs > 0 ? Math.round(done / secs) : 0;
    const eta = rate > 0 && total > done ? Math.round((total - done) / rate) : 0;
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(1)}% ${done}/${total} ${rate}/s${eta ? ` ETA ${eta}s` : ''}   `,
      );
      if (final) stream.write('\n');
    } else {
      stream.write(`${label}: ${done}/${total} (${pct.toFixed(1)}%, ${rate}/s)\n`);
    }
  };
  return {
    tick(n = 1) {
      done += n;
      draw();
    },
    done() {
      done = Math.max(done, total);
      draw(true);
    },
  };
}
