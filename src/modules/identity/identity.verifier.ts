import type { RealNameVerifierConfig } from '../../config/index.js';
import { DomainError } from '../../kernel/index.js';
import { DEMO_POPULATION_REGISTER } from './identity.demo.js';
import type { RealNameVerifier } from './identity.context.js';
import { normaliseMobile } from './identity.types.js';

/**
 * The demo verifier: checks the factors against the demo population register. Every given factor
 * must match; which ones were given is recorded. It serves the demo city only: the identity module
 * refuses it in production.
 */
export function demoRegisterVerifier(): RealNameVerifier {
  const norm = (s: string) => s.replace(/\s/g, '').toUpperCase();
  return {
    demo: true,
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

/**
 * The real-name verification service over HTTP (TONGBAN_REALNAME_VERIFIER_URL): the province's
 * gateway to the 公安 identity check (人口库) and the bank / social-security channels. One JSON
 * POST per check — `{"name","idNumber","factors":{"mobile"?,"bankCard"?,"socialSecurityCard"?}}`,
 * with `Authorization: Bearer <TONGBAN_REALNAME_VERIFIER_TOKEN>` when one is configured — answered
 * `200 {"match": true|false}`. Anything else (another status, another body, no answer within the
 * timeout) means the service could not say, which is neither a yes nor a no: the check fails with
 * IDENTITY.VERIFIER_UNAVAILABLE and the account stays where it was. Nothing of the request is
 * logged (it is personal data); a deployment whose service speaks another protocol puts a small
 * adapter in front of it that speaks this one.
 */
export function httpRealNameVerifier(
  cfg: RealNameVerifierConfig,
  fetchImpl: typeof fetch = fetch,
): RealNameVerifier {
  return {
    async verify({ name, idNumber, factors }) {
      let res: Response;
      try {
        res = await fetchImpl(cfg.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            ...(cfg.token ? { authorization: `Bearer ${cfg.token}` } : {}),
          },
          body: JSON.stringify({ name: name.trim(), idNumber, factors }),
          signal: AbortSignal.timeout(cfg.timeoutMs),
          redirect: 'error',
        });
      } catch {
        throw new DomainError('IDENTITY.VERIFIER_UNAVAILABLE');
      }
      const body = res.ok ? await res.json().catch(() => undefined) : undefined;
      const match = (body as { match?: unknown } | undefined)?.match;
      if (typeof match !== 'boolean') throw new DomainError('IDENTITY.VERIFIER_UNAVAILABLE');
      return match;
    },
  };
}
