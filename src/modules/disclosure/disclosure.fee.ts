/**
 * 信息处理费 (art. 42 of the 2019 Regulations; the State Council General Office's 2020 measures on
 * information-processing fees, charged 按件 — by the number of requests one applicant makes in a
 * calendar month). Requests within a reasonable number are free: the first 10 of a month cost
 * nothing; the 11th to the 30th cost 100 yuan each; from the 31st the charge rises by 100 yuan for
 * each further block of ten (31st–40th 200 yuan, 41st–50th 300 yuan, …). Amounts in fen.
 */
export const FREE_PER_MONTH = 10;

/** The fee, in fen, for an applicant's `nth` request received in one China month (1-based). */
export function processingFeeFen(nth: number): number {
  if (!Number.isInteger(nth) || nth < 1) throw new RangeError(`not a request's place in its month: ${nth}`);
  if (nth <= FREE_PER_MONTH) return 0;
  if (nth <= 30) return 10_000;
  return 10_000 + 10_000 * Math.ceil((nth - 30) / 10);
}
