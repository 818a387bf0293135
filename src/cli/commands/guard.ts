import { timingSafeEqual } from 'node:crypto';
import { isDomainError } from '../../kernel/index.js';
import type { CliContext, ParsedArgs } from '../cli.types.js';

// What the operator commands share: the production guard, flag values, refusals said by code.

const sameString = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * In production a command that acts on accounts needs `--operator-key` equal to
 * TONGBAN_OPERATOR_KEY (compared in constant time): shell access to a node alone is not enough.
 * Answers the exit code to stop with (77, EX_NOPERM), or undefined to go on.
 */
export function operatorKeyRefusal(command: string, args: ParsedArgs, ctx: CliContext): number | undefined {
  if (ctx.config.env !== 'production') return undefined;
  const key = args.flags['operator-key'];
  if (ctx.config.operatorKey && typeof key === 'string' && sameString(key, ctx.config.operatorKey))
    return undefined;
  ctx.err(
    `tongban ${command}: refused in production without the right --operator-key (TONGBAN_OPERATOR_KEY)`,
  );
  return 77;
}

/** A flag's value when it was given one (a bare `--flag` is `true`, not a value). */
export const flag = (args: ParsedArgs, name: string): string | undefined =>
  typeof args.flags[name] === 'string' ? (args.flags[name] as string) : undefined;

/** A refused domain action: its stable code first, so a script or a search finds the rule. */
export function refusal(command: string, e: unknown, ctx: CliContext): number {
  if (!isDomainError(e) || e.status >= 500) throw e;
  ctx.err(`tongban ${command}: ${e.code}: ${e.message}`);
  return e.status === 404 || e.status === 409 ? 1 : 2;
}
