import { readFile } from 'node:fs/promises';
import { isDomainError } from '../../kernel/index.js';
import type { CliCommand } from '../cli.types.js';

/**
 * `tongban import licences <file.json>`: imports existing licences (a JSON array of
 * {typeCode, issuerCode, issuerName?, regionCode?, holder:{name,idType,idNumber}, licenceNumber?,
 * fields?, validFrom, validTo?, issueDate?}). All or nothing; problems are listed by row number.
 */
export const importLicencesCommand: CliCommand = {
  name: ['import', 'licences'],
  usage: '<file.json>',
  summary: 'import existing e-licences from a JSON file (all or nothing; errors by row)',
  async run(args, ctx) {
    const file = args.positional[0];
    if (!file) {
      ctx.err('tongban import licences: give the JSON file to import');
      return 2;
    }
    let rows: unknown;
    try {
      rows = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      ctx.err(`tongban import licences: cannot read ${file} as JSON (${(e as Error).message})`);
      return 2;
    }
    const t = await ctx.boot(); // the CLI closes it
    const r = await t.licences.importLicences(rows, ctx.progress);
    if ('problems' in r) {
      ctx.err(`tongban import licences: nothing imported; ${r.problems.length} problem(s):`);
      for (const p of r.problems.slice(0, 200))
        ctx.err(`  row ${p.row}${p.field ? ` ${p.field}` : ''}: ${p.code}`);
      return 1;
    }
    ctx.out(`imported ${r.imported} licence(s)`);
    return 0;
  },
};

/**
 * `tongban licences key rotate --issuer CODE`: the issuer signs new licences with a new SM2 key;
 * licences signed before keep verifying with the key they name (docs/operations.md, key rotation).
 */
export const licencesKeyRotateCommand: CliCommand = {
  name: ['licences', 'key', 'rotate'],
  usage: '--issuer <issuing body code>',
  summary: 'give an issuing body a new signing key (older licences still verify with theirs)',
  async run(args, ctx) {
    const issuer = typeof args.flags.issuer === 'string' ? args.flags.issuer.trim() : '';
    if (!issuer) {
      ctx.err('usage: tongban licences key rotate --issuer <issuing body code>');
      return 2;
    }
    const t = await ctx.boot({ demo: 'off' });
    try {
      const keyId = await t.licences.rotateKey(issuer);
      ctx.out(keyId);
      ctx.err(
        `${issuer} now signs new licences with key ${keyId}; the previous key is retired and still verifies`,
      );
      return 0;
    } catch (e) {
      if (isDomainError(e)) {
        ctx.err(`tongban licences key rotate: ${e.code}: ${e.messageIn('zh-CN')} / ${e.messageIn('en')}`);
        return 1;
      }
      throw e;
    }
  },
};
