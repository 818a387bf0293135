import { DEMO_POPULATION_REGISTER } from './identity.demo.js';
import type { RealNameVerifier } from './identity.context.js';
import { normaliseMobile } from './identity.types.js';

/**
 * The demo verifier: checks the factors against the demo population register. A deployment plugs
 * in the province's identity-check service (公安人口库 and the bank / social-security channels)
 * behind the same interface. Every given factor must match; which ones were given is recorded.
 */
export function demoRegisterVerifier(): RealNameVerifier {
  const norm = (s: string) => s.replace(/\s/g, '').toUpperCase();
  return {
    async verify({ name, idNumber, factors }) {
      const person = DEMO_POPULATION_REGISTER.find(
        (p) => p.idNumber === norm(idNumber) && p.name === name.trim(),
      );
      if (!person) return false;
      if (factors.mobile !== undefined && normaliseMobile(factors.mobile) !== person.mobile) return false;
      if (factors.bankCard !== undefined && norm(factors.bankCard) !== person.bankCard) return false;
      if (
        factors.socialSecurityCard !== undefined &&
        norm(factors.socialSecurityCard) !== person.socialSecurityCard
      )
        return false;
      return true;
    },
  };
}
