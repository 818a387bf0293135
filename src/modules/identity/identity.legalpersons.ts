import type { LegalPerson, LegalPersonRegister } from './identity.context.js';
import { DEMO_LEGAL_PERSONS } from './identity.demo.js';

const norm = (s: string) => s.replace(/\s/g, '').toUpperCase();

/** A register over a fixed list of entries (the demo's, or a test's). */
export function listLegalPersonRegister(entries: readonly LegalPerson[]): LegalPersonRegister {
  const byCode = new Map(entries.map((e) => [norm(e.creditCode), e]));
  return {
    async lookup(creditCode) {
      return byCode.get(norm(creditCode));
    },
    async representedBy(idNumber) {
      const id = norm(idNumber);
      return entries.filter((e) => norm(e.legalRepresentative.idNumber) === id);
    },
  };
}

/**
 * The demo register: the made-up companies of the demo city (DEMO_LEGAL_PERSONS). It stands in
 * for the data-sharing exchange's 法人库 (issue 12), which replaces it behind the same port.
 */
export function demoLegalPersonRegister(): LegalPersonRegister {
  return listLegalPersonRegister(DEMO_LEGAL_PERSONS);
}

/**
 * No register wired (production until the exchange's 法人库 lands): it knows no company, so no
 * legal representative can confirm an account online and organisations are verified in person.
 */
export const noLegalPersonRegister: LegalPersonRegister = {
  async lookup() {
    return undefined;
  },
  async representedBy() {
    return [];
  },
};
