import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

/**
 * A rolling upgrade rehearsed (scripts/rolling-upgrade.sh, ADR 0023): the previous release's node
 * (deploy/previous-release) and this release's node on one PostgreSQL database, this release
 * migrating it while the old node serves, each answering what the other wrote. Runs on the
 * PostgreSQL pass when the clone holds the previous release's commit; otherwise skipped, saying why.
 */
const root = join(import.meta.dirname, '..', '..');
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;

function whyNot(): string | false {
  if (!pgBase) return 'needs TONGBAN_TEST_DATABASE_URL (the PostgreSQL pass)';
  const git = spawnSync('git', ['rev-parse', '--git-dir'], { cwd: root, encoding: 'utf8' });
  if (git.status !== 0) return 'not a git checkout: the previous release cannot be exported';
  return false;
}

test('the previous release and this one serve side by side on one database', {
  skip: whyNot(),
  timeout: 240_000,
}, (t) => {
  const r = spawnSync('bash', [join(root, 'scripts', 'rolling-upgrade.sh')], {
    cwd: root,
    env: { ...process.env, TONGBAN_TEST_DATABASE_URL: pgBase },
    encoding: 'utf8',
    timeout: 230_000,
  });
  if (r.status === 3) {
    // no history holding the previous release (a shallow clone): said, not hidden
    t.skip(r.stdout.trim().split('\n').pop());
    return;
  }
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const out = r.stdout;
  assert.match(out, /ok applied on old \(\w+, \w+\), accepted on new, read accepted on old/);
  assert.match(out, /ok applied on new \(\w+, \w+\), accepted on old, read accepted on new/);
  assert.match(out, /survived: both releases answered on one database/);
  console.log(
    out
      .split('\n')
      .filter((l) => /previous release |this release applied|survived/.test(l))
      .map((l) => `# ${l}`)
      .join('\n'),
  );
});
