import { z } from 'zod';
import type { FieldIssue } from '../../kernel/index.js';
import { checkCreditCode, checkIdNumber } from '../../platform/codes/index.js';
import { passwordWeakness } from './identity.password.js';

/** 实名等级: L1 registered, L2 verified by three factors online, L3 verified in person. */
export type RealNameLevel = 1 | 2 | 3;

export const LoginInput = z.object({
  login: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  /** 'token' (default): answer with a bearer token; 'cookie': set the session cookie */
  mode: z.enum(['token', 'cookie']).optional(),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const PersonRegistration = z.object({
  kind: z.literal('person'),
  login: z.string().max(100),
  password: z.string().max(200),
  name: z.string().max(50),
  idNumber: z.string().max(30),
  mobile: z.string().max(20),
});
export type PersonRegistration = z.infer<typeof PersonRegistration>;

export const OrganizationRegistration = z.object({
  kind: z.literal('organization'),
  login: z.string().max(100),
  password: z.string().max(200),
  name: z.string().max(100),
  creditCode: z.string().max(30),
  legalRepresentative: z.string().max(50),
  agentName: z.string().max(50),
  agentIdNumber: z.string().max(30),
  agentMobile: z.string().max(20),
});
export type OrganizationRegistration = z.infer<typeof OrganizationRegistration>;

export const Registration = z.discriminatedUnion('kind', [PersonRegistration, OrganizationRegistration]);
export type Registration = z.infer<typeof Registration>;

export const RealNameFactors = z.object({
  mobile: z.string().max(20).optional(),
  bankCard: z.string().max(30).optional(),
  socialSecurityCard: z.string().max(30).optional(),
});
export type RealNameFactors = z.infer<typeof RealNameFactors>;

/** A clerk's in-person check: the account and the code it shows, the name and number on the card. */
export const InPersonCheckInput = z.object({
  login: z.string().max(100),
  code: z.string().max(20),
  name: z.string().max(50),
  idNumber: z.string().max(30),
});
export type InPersonCheckInput = z.infer<typeof InPersonCheckInput>;

const LOGIN_RE = /^[a-z][a-z0-9_.-]{2,31}$/;
const MOBILE_RE = /^1[3-9]\d{9}$/;
const NAME_RE = /^[\p{Script=Han}·A-Za-z ]{2,30}$/u;

export const normaliseLogin = (s: string): string => s.trim().toLowerCase();
export const normaliseMobile = (s: string): string => s.replace(/[\s-]/g, '');

function checkCommon(
  login: string,
  password: string,
  idNumber: string | undefined,
  issues: FieldIssue[],
): void {
  if (!LOGIN_RE.test(normaliseLogin(login))) issues.push({ field: 'login', rule: 'IDENTITY.LOGIN_FORMAT' });
  const weak = passwordWeakness(password, { login: normaliseLogin(login), idNumber });
  if (weak) issues.push({ field: 'password', rule: `IDENTITY.PASSWORD_${weak.toUpperCase()}` });
}

function checkPerson(
  fields: { name: string; idNumber: string; mobile: string },
  v: { name: string; idNumber: string; mobile: string },
  today: string,
  issues: FieldIssue[],
): void {
  if (!NAME_RE.test(v.name.trim())) issues.push({ field: fields.name, rule: 'IDENTITY.NAME_FORMAT' });
  const id = checkIdNumber(v.idNumber, { today });
  if (!id.ok) issues.push({ field: fields.idNumber, rule: id.failures[0]! });
  if (!MOBILE_RE.test(normaliseMobile(v.mobile)))
    issues.push({ field: fields.mobile, rule: 'IDENTITY.MOBILE_FORMAT' });
}

/** Every problem with a registration, each naming its field and the rule it breaks. */
export function registrationIssues(r: Registration, today: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (r.kind === 'person') {
    checkCommon(r.login, r.password, r.idNumber.trim(), issues);
    checkPerson({ name: 'name', idNumber: 'idNumber', mobile: 'mobile' }, r, today, issues);
  } else {
    checkCommon(r.login, r.password, undefined, issues);
    if (r.name.trim().length < 2) issues.push({ field: 'name', rule: 'IDENTITY.ORG_NAME_FORMAT' });
    const cc = checkCreditCode(r.creditCode);
    if (!cc.ok) issues.push({ field: 'creditCode', rule: cc.failures[0]! });
    if (!NAME_RE.test(r.legalRepresentative.trim()))
      issues.push({ field: 'legalRepresentative', rule: 'IDENTITY.NAME_FORMAT' });
    checkPerson(
      { name: 'agentName', idNumber: 'agentIdNumber', mobile: 'agentMobile' },
      { name: r.agentName, idNumber: r.agentIdNumber, mobile: r.agentMobile },
      today,
      issues,
    );
  }
  return issues;
}
