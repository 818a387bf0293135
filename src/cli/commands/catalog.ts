import { readFile } from 'node:fs/promises';
import {
  type Guide,
  csvHeader,
  csvRow,
  formatOf,
  implementationCodeOf,
} from '../../modules/catalog/index.js';
import type { CliCommand } from '../cli.types.js';

/**
 * `tongban import items <file>`: imports an implementation list (JSON or CSV, see catalog.io.ts).
 * Every row is checked first; any bad row prints the full report (row number, field, rule, how to
 * fix) and nothing is written. Otherwise all rows are published in one transaction.
 */
export const importItemsCommand: CliCommand = {
  name: ['import', 'items'],
  usage: '<file.json|file.csv> [--format json|csv]',
  summary: 'import an implementation list (all or nothing; every bad row reported with its row number)',
  async run(args, ctx) {
    const file = args.positional[0];
    if (!file) {
      ctx.err('tongban import items: give the JSON or CSV file to import');
      return 2;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      ctx.err(`tongban import items: cannot read ${file} (${(e as Error).message})`);
      return 2;
    }
    const flag = args.flags.format;
    const format = flag === 'json' || flag === 'csv' ? flag : formatOf(file, text);
    const t = await ctx.boot();
    try {
      const r = await t.catalog.importItems(text, format, ctx.progress);
      if (r.issues.length) {
        const rows = new Set(r.issues.map((i) => i.row)).size;
        ctx.err(`tongban import items: nothing imported; ${r.issues.length} problem(s) in ${rows} row(s):`);
        for (const i of r.issues) {
          ctx.err(
            `  row ${i.row}${i.implementationCode ? ` ${i.implementationCode}` : ''} ${i.field}: ${i.rule} — ${i.message.zh} / ${i.message.en}`,
          );
        }
        return 1;
      }
      ctx.out(`imported ${r.imported} item(s)`);
      return 0;
    } catch (e) {
      ctx.err(`tongban import items: ${(e as Error).message}`);
      return 1;
    }
  },
};

/**
 * `tongban export items --format json|csv [--generate zhengzhou] > file`: writes every published
 * implementation list to stdout; `--generate zhengzhou` writes the generated city-scale list
 * (5,314 items) instead, without touching the store.
 */
export const exportItemsCommand: CliCommand = {
  name: ['export', 'items'],
  usage: '--format json|csv [--generate zhengzhou]',
  summary: 'export published implementation lists (or the generated Zhengzhou-scale list) as JSON or CSV',
  async run(args, ctx) {
    const format = args.flags.format ?? 'json';
    if (format !== 'json' && format !== 'csv') {
      ctx.err('tongban export items: --format json or csv');
      return 2;
    }
    const gen = args.flags.generate;
    if (gen !== undefined && gen !== 'zhengzhou') {
      ctx.err('tongban export items: --generate takes zhengzhou');
      return 2;
    }
    const t = await ctx.boot();
    const write = (s: string) => process.stdout.write(s);
    let n = 0;
    const pages: AsyncIterable<Guide[]> =
      gen === 'zhengzhou'
        ? (async function* () {
            yield await t.catalog.generateScaleItems();
          })()
        : t.catalog.exportItems();
    if (format === 'csv') {
      write(`${csvHeader()}\n`);
      for await (const page of pages) {
        for (const g of page) write(`${csvRow(g)}\n`);
        n += page.length;
      }
    } else {
      // streamed, one item per line inside the array, so a large list never sits in one string
      write('{"format":"tongban.catalog.items","version":1,"items":[\n');
      for await (const page of pages) {
        for (const g of page) {
          write(
            `${n === 0 ? '' : ',\n'}${JSON.stringify({ implementationCode: implementationCodeOf(g), ...g })}`,
          );
          n++;
        }
      }
      write('\n]}\n');
    }
    ctx.err(`exported ${n} item(s)`);
    return 0;
  },
};
