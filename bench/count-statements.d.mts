/** bench/count-statements.mjs: the statement kinds the benches count. */
export interface StatementCounts {
  all: number;
  begin: number;
  commit: number;
  rollback: number;
  savepoint: number;
  consumers: number;
  events: number;
}
export function newCounts(): StatementCounts;
export function countStatement(counts: StatementCounts, text: string): void;
