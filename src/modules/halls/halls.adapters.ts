/**
 * Adapters from the neighbouring modules' public faces to the halls ports. They take the other
 * modules' APIs structurally (only the methods used), so this file imports no other module; app.ts
 * hands them the APIs.
 */
import { DomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import type { KioskRatable, KioskRatingPort } from './halls.kiosk.js';

/** How many of the person's latest cases the kiosk offers to rate. */
export const KIOSK_RATABLE_CASES = 20;

const STAGES = ['accepted', 'completed'] as const;

/**
 * 好差评 at the kiosk (`KioskRatingPort`): as the person the card identified, through the ratings
 * module's own checks. Their latest cases are read once and their ratings in one batch
 * (`ratingsOfCases`), not two reads per case.
 */
export function kioskRatingPort(deps: {
  identity: { principalForAccount(accountId: string): Promise<Principal | undefined> };
  cases: {
    myCases(p: Principal, page: number, pageSize: number): Promise<ReadonlyArray<{ case_number: string }>>;
  };
  ratings: {
    ratingsOfCases(
      caseNumbers: readonly string[],
      p: Principal,
    ): Promise<
      ReadonlyArray<{
        case: {
          caseNumber: string;
          itemName: string;
          channel: string;
          acceptedReached: boolean;
          completedReached: boolean;
        };
        ratings: ReadonlyArray<{ channel: string; stage: string; followUp?: boolean | undefined }>;
      }>
    >;
    rate(
      caseNumber: string,
      input: {
        level: number;
        stage: 'accepted' | 'completed';
        indicators: readonly string[];
        text?: string | undefined;
        channel: 'kiosk';
      },
      who: { via: 'principal'; principal: Principal },
    ): Promise<unknown>;
  };
  /** the indicators that fit how a case was handled (the ratings module's `indicatorsFor`) */
  indicatorsFor(channel: string): readonly string[];
}): KioskRatingPort {
  return {
    async ratable(accountId) {
      const p = await deps.identity.principalForAccount(accountId);
      if (!p) return [];
      const rows = await deps.cases.myCases(p, 1, KIOSK_RATABLE_CASES);
      const out: KioskRatable[] = [];
      for (const r of await deps.ratings.ratingsOfCases(
        rows.map((x) => x.case_number),
        p,
      )) {
        const rated = new Set(
          r.ratings.filter((g) => g.channel === 'kiosk' && !g.followUp).map((g) => g.stage),
        );
        const stages = STAGES.filter(
          (st) => (st === 'accepted' ? r.case.acceptedReached : r.case.completedReached) && !rated.has(st),
        );
        if (stages.length)
          out.push({
            caseNumber: r.case.caseNumber,
            itemName: r.case.itemName,
            stages,
            indicators: deps.indicatorsFor(r.case.channel),
          });
      }
      return out;
    },
    async rate(accountId, caseNumber, input) {
      const p = await deps.identity.principalForAccount(accountId);
      if (!p) throw new DomainError('RATINGS.CASE_NOT_FOUND');
      await deps.ratings.rate(caseNumber, { ...input, channel: 'kiosk' }, { via: 'principal', principal: p });
    },
  };
}
