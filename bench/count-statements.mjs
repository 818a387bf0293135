/**
 * Preloaded into the bench's app nodes when COUNT_STATEMENTS=<dir> (bench/cluster.ts, `--import`):
 * counts the statements this process sends to PostgreSQL (every pg Client's query: the pool's, the
 * wake-up listener's) and writes the counts to <dir>/<pid>.json five times a second. The benches
 * read them around each run: statements per action, per node and kind. pg_stat_statements needs
 * a server restart (shared_preload_libraries); this needs nothing of the server.
 * COUNT_STATEMENT_TEXTS=1: also how often each statement's text (its first 160 characters, spaces
 * folded) was sent, in <dir>/<pid>.texts.json; bench/actions.bench.ts prints the most sent per action.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** kinds: transaction control, the event consumers' position rows and stream reads, the rest */
export const newCounts = () => ({
  all: 0,
  begin: 0,
  commit: 0,
  rollback: 0,
  savepoint: 0,
  consumers: 0,
  events: 0,
});

/** Counts one statement's text under its kind (bench/consumer-rounds.bench.ts counts the same way). */
export function countStatement(counts, text) {
  counts.all++;
  const t = text.trimStart().slice(0, 12).toLowerCase();
  if (t.startsWith('begin') || t.startsWith('start')) counts.begin++;
  else if (t.startsWith('commit')) counts.commit++;
  else if (t.startsWith('rollback')) counts.rollback++;
  else if (t.startsWith('savepoint') || t.startsWith('release')) counts.savepoint++;
  else if (text.includes('event_consumers')) counts.consumers++;
  else if (/from "?events"?\s+where/.test(text)) counts.events++;
}

const dir = process.env.COUNT_STATEMENTS;
if (dir) {
  const pg = createRequire(import.meta.url)('pg');
  const counts = newCounts();
  const texts = process.env.COUNT_STATEMENT_TEXTS === '1' ? new Map() : null;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, cb) {
    const text = typeof config === 'string' ? config : config?.text;
    if (typeof text === 'string') {
      countStatement(counts, text);
      if (texts) {
        const k = text.replace(/\s+/g, ' ').trim().slice(0, 160);
        texts.set(k, (texts.get(k) ?? 0) + 1);
      }
    }
    return query.call(this, config, values, cb);
  };
  const file = join(dir, `${process.pid}.json`);
  const write = (f, value) => {
    // written aside and renamed: a reader never sees half a file
    writeFileSync(`${f}.tmp`, JSON.stringify(value));
    renameSync(`${f}.tmp`, f);
  };
  const flush = () => {
    try {
      write(file, counts);
      if (texts) write(join(dir, `${process.pid}.texts.json`), Object.fromEntries(texts));
    } catch {
      /* the bench's directory gone: it has ended */
    }
  };
  setInterval(flush, 200).unref();
  process.on('exit', flush);
}
