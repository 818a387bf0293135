import type { CliCommand } from '../cli.types.js';

/**
 * `tongban seed`: seeds the demo city into an empty store. `--scale zhengzhou` and `--cases N`
 * add generated city-scale data (each module's `seedScale`).
 */
export const seedCommand: CliCommand = {
  name: ['seed'],
  usage: '[--scale zhengzhou [--people N] [--companies N]] [--cases N]',
  summary:
    'seed the demo city; --scale zhengzhou adds the city-scale corpus and registers (--people/--companies: another size), --cases N generated cases',
  async run(args, ctx) {
    const t = await ctx.boot({ demo: 'on' });
    ctx.out(t.seeded ? 'demo city seeded' : 'demo city already present');
    const scale = typeof args.flags.scale === 'string' ? args.flags.scale : undefined;
    const cases = typeof args.flags.cases === 'string' ? Number.parseInt(args.flags.cases, 10) : undefined;
    if (scale !== undefined && scale !== 'zhengzhou') {
      ctx.err(`unknown --scale "${scale}" (known: zhengzhou)`);
      return 2;
    }
    if (cases !== undefined && (!Number.isInteger(cases) || cases < 0)) {
      ctx.err('--cases takes a whole number');
      return 2;
    }
    const size: Record<'people' | 'companies', number | undefined> = {
      people: undefined,
      companies: undefined,
    };
    for (const k of ['people', 'companies'] as const) {
      const v = args.flags[k];
      if (v === undefined) continue;
      const n = typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
      if (scale === undefined || !Number.isInteger(n) || n > 16_000_000) {
        ctx.err(`--${k} takes a whole number up to 16000000, with --scale`);
        return 2;
      }
      size[k] = n;
    }
    if (scale !== undefined || cases !== undefined) {
      for (const m of t.modules) await m.seedScale?.({ scale, cases, ...size, progress: ctx.progress });
      await t.events.drain();
    }
    return 0;
  },
};
