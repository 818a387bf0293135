import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../src/app.js';
import { ManualClock } from '../../src/kernel/index.js';
import { sql } from '../../src/platform/db/index.js';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../src/modules/identity/identity.demo.js';
import { buildTestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/store.js';
import { validForm } from '../helpers/forms.js';

/**
 * Scopes fail closed (issue 11 item 2; OWASP ASVS 4.0.3 V4.1.3 least privilege, V4.2.1 direct
 * object references): the role × scope × object matrix as one table. Every route that reads or
 * acts on a case, its files, a draft, an e-licence or a queue, called by each demo caller, another
 * citizen and a department-bound approver of another city; each cell is the answer the caller must
 * get. A grant bound to a department never reaches what a check names without one (a hall, a
 * hall's queue), and a department's queue is checked against the department's region too.
 * The test prints the matrix it checked.
 */

// 食品小经营店登记: decided by 郑州市市场监督管理局 (the demo `approver`'s department), persons, depth 4
const CITY_ITEM = '11410100297017523N01003401100000';
// 失业保险金申领: each 区's 人力资源和社会保障局 decides it (not a 市场监督管理局)
const COUNTY_ITEM = '11410105414644738F05001200400000';
const HALL = 'H410105001'; // 金水区经八路街道便民服务中心, the demo `clerk`'s hall
// 洛阳 (4103) is not in the demo city: the test adds its 市场监督管理局
const LUOYANG_DEPT = 'dept-410300-scjgj';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

const CALLERS = [
  'anonymous',
  'citizen',
  'citizen2',
  'enterprise',
  'clerk',
  'approver',
  'county-approver',
  'supervisor',
  'admin',
  'luoyang-approver',
  'clerk-other',
  'hall-manager',
  'grid-jinshui',
  'grid-other',
  'grid-worker',
] as const;
type Caller = (typeof CALLERS)[number];

/**
 * An expected answer: the HTTP status, and for a list or page that may show the object, whether
 * it does (`+` shown, `-` not shown); `401` for the anonymous caller of a page may be a redirect
 * to sign in (303).
 */
type Cell = '200' | '200+' | '200-' | '201' | '204' | '303' | '400' | '401' | '403' | '404' | '409';
type Row = Readonly<Record<Caller, Cell>>;

/** A row from one answer for everyone, then the callers who get another. */
const row = (all: Cell, but: Partial<Record<Caller, Cell>> = {}): Row =>
  Object.fromEntries(CALLERS.map((c) => [c, but[c] ?? all])) as Row;

interface Fixtures {
  caseA: string;
  caseB: string;
  fileA: string;
  fileB: string;
  bundle: string;
  licence: string;
  cityAmr: string;
  jinshuiHr: string;
  draftMarker: string;
  ticket: string;
  /** an accepted online case of the citizen (郑州市市场监督管理局), rated poor: its rectification and a complaint */
  caseC: string;
  rectification: string;
  complaint: string;
  /** the citizen's 委托 (all items) to the 金水区 grid worker */
  delegation: string;
  /** the citizen's account id (whom the grid worker's draft is for) */
  citizen: string;
}

interface Check {
  readonly what: string;
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly url: (f: Fixtures) => string;
  readonly page?: boolean;
  readonly body?: Record<string, unknown>;
  /** for `200+` / `200-`: whether the answer shows the object */
  readonly shows?: (body: string, f: Fixtures) => boolean;
  readonly expect: Row;
}

// who may see case A (online, decided by 郑州市市场监督管理局 in 410100) and case B (received at
// the 经八路街道 hall, decided by 金水区人社局): the applicant, staff whose scope covers the
// deciding body, and (case B) staff of the receiving hall who hold no department
const SEES_A = row('404', {
  anonymous: '401',
  citizen: '200',
  approver: '200',
  supervisor: '200',
  admin: '200',
});
const SEES_B = row('404', {
  anonymous: '401',
  citizen: '200',
  clerk: '200',
  supervisor: '200',
  admin: '200',
});
// the hall's manager (大厅管理员) runs the hall, not its cases, and a grid worker (网格员) follows
// only the cases of those who delegated to them: neither has the workbench nor case contents
const NO_WORKBENCH = {
  citizen: '403',
  citizen2: '403',
  enterprise: '403',
  'hall-manager': '403',
  'grid-jinshui': '403',
  'grid-other': '403',
  'grid-worker': '403',
} as const;
const QUEUE = { anonymous: '401', ...NO_WORKBENCH } as const;
const listsB = (body: string, f: Fixtures) => body.includes(f.caseB);

/** 帮办代办: the city item applied for the citizen (filled in before the checks run) */
const ASSIST: Record<string, unknown> = {};

const CHECKS: readonly Check[] = [
  // ── cases ──────────────────────────────────────────────────────────────────────────────────
  { what: 'case A · GET /api/v1/cases/:n', url: (f) => `/api/v1/cases/${f.caseA}`, expect: SEES_A },
  { what: 'case B · GET /api/v1/cases/:n', url: (f) => `/api/v1/cases/${f.caseB}`, expect: SEES_B },
  {
    what: 'case B · GET /api/v1/cases/:n/clock',
    url: (f) => `/api/v1/cases/${f.caseB}/clock`,
    expect: SEES_B,
  },
  { what: 'case B · GET /cases/:n (page)', url: (f) => `/cases/${f.caseB}`, page: true, expect: SEES_B },
  {
    what: 'case B · GET /workbench/cases/:n (page)',
    url: (f) => `/workbench/cases/${f.caseB}`,
    page: true,
    expect: { ...SEES_B, ...NO_WORKBENCH },
  },
  {
    what: 'case B · GET /workbench/cases/:n/clock (page)',
    url: (f) => `/workbench/cases/${f.caseB}/clock`,
    page: true,
    expect: { ...SEES_B, ...NO_WORKBENCH },
  },
  {
    // 准予 on a submitted case: the deciding body's scope is checked, then the workflow refuses (409)
    what: 'case A · POST actions {approve}',
    method: 'POST',
    url: (f) => `/api/v1/cases/${f.caseA}/actions`,
    body: { action: 'approve' },
    expect: row('404', {
      anonymous: '401',
      citizen: '403',
      approver: '409',
      'county-approver': '403',
      supervisor: '403',
      admin: '409',
      'luoyang-approver': '403',
    }),
  },
  {
    // a supplement at the window: the hall's scope, then the workflow refuses it before a 补正 notice
    what: 'case B · POST actions {supplement}',
    method: 'POST',
    url: (f) => `/api/v1/cases/${f.caseB}/actions`,
    body: { action: 'supplement' },
    expect: row('404', {
      anonymous: '401',
      citizen: '409',
      clerk: '409',
      supervisor: '403',
      admin: '409',
      'clerk-other': '403',
    }),
  },
  {
    what: 'bundle · GET /api/v1/bundles/:b',
    url: (f) => `/api/v1/bundles/${f.bundle}`,
    expect: row('403', {
      anonymous: '401',
      citizen: '200',
      citizen2: '404',
      enterprise: '404',
      admin: '404',
    }),
  },
  // ── files ──────────────────────────────────────────────────────────────────────────────────
  {
    what: 'case A file · GET /api/v1/cases/:n/materials/:sha256',
    url: (f) => `/api/v1/cases/${f.caseA}/materials/${f.fileA}`,
    expect: SEES_A,
  },
  {
    what: 'case B ID scan · GET /api/v1/cases/:n/materials/:sha256',
    url: (f) => `/api/v1/cases/${f.caseB}/materials/${f.fileB}`,
    expect: SEES_B,
  },
  // ── drafts ─────────────────────────────────────────────────────────────────────────────────
  {
    what: "citizen's draft · GET /items/:code/apply/check (each their own)",
    url: () => `/items/${CITY_ITEM}/apply/check`,
    page: true,
    shows: (body, f) => body.includes(f.draftMarker),
    expect: row('200-', { anonymous: '401', citizen: '200+' }),
  },
  // ── queues ─────────────────────────────────────────────────────────────────────────────────
  {
    what: 'my cases · GET /api/v1/cases',
    url: () => '/api/v1/cases',
    shows: listsB,
    expect: row('403', {
      anonymous: '401',
      citizen: '200+',
      citizen2: '200-',
      enterprise: '200-',
      admin: '200-',
    }),
  },
  {
    what: 'my cases · GET /cases (page)',
    url: () => '/cases',
    page: true,
    shows: listsB,
    expect: row('403', {
      anonymous: '401',
      citizen: '200+',
      citizen2: '200-',
      enterprise: '200-',
      admin: '200-',
    }),
  },
  {
    // 帮办代办: the open cases of those who delegated to the caller — the grid worker holds the
    // citizen's 委托 (all items); people see only theirs (none here); other staff nothing
    what: 'assisted · GET /api/v1/cases/assisted',
    url: () => '/api/v1/cases/assisted',
    shows: listsB,
    expect: row('403', {
      anonymous: '401',
      citizen: '200-',
      citizen2: '200-',
      admin: '200-',
      'grid-jinshui': '200+',
      'grid-other': '200-',
      'grid-worker': '200-',
    }),
  },
  {
    what: 'assisted · GET /cases/assisted (page)',
    url: () => '/cases/assisted',
    page: true,
    shows: listsB,
    expect: row('403', {
      anonymous: '401',
      citizen: '200-',
      citizen2: '200-',
      admin: '200-',
      'grid-jinshui': '200+',
      'grid-other': '200-',
      'grid-worker': '200-',
    }),
  },
  {
    // applying for the citizen: only under the citizen's 委托 (the grid worker); the citizen for
    // themself through onBehalfOf, another person, a clerk or the administrator are refused
    what: 'assisted · POST /api/v1/cases {onBehalfOf: citizen}',
    method: 'POST',
    url: () => '/api/v1/cases',
    body: ASSIST,
    expect: row('403', { anonymous: '401', 'grid-jinshui': '201' }),
  },
  {
    // 帮办代办 on the pages, step 1: whom to apply for — the live 委托 to the caller (the citizen
    // masked as 张*); people and staff who may assist see their own (none), others are refused
    what: 'assisted · GET /cases/assisted/apply (page)',
    url: () => '/cases/assisted/apply',
    page: true,
    shows: (body) => body.includes('为张*申请'),
    expect: row('403', {
      anonymous: '401',
      citizen: '200-',
      citizen2: '200-',
      admin: '200-',
      'grid-jinshui': '200+',
      'grid-other': '200-',
      'grid-worker': '200-',
    }),
  },
  {
    // step 2 names the 委托: only its agent opens it (another's, any other caller: refused alike)
    what: "assisted · GET /cases/assisted/apply/:delegation (citizen's)",
    url: (f) => `/cases/assisted/apply/${f.delegation}`,
    page: true,
    expect: row('403', { anonymous: '401', 'grid-jinshui': '200' }),
  },
  {
    // 出件 of case B, which is not waiting at the window: its agent hears not ready; nobody else
    // learns anything but CASES.NOT_DELEGATED (or may not assist at all)
    what: 'case B · POST /api/v1/cases/:n/collect',
    method: 'POST',
    url: (f) => `/api/v1/cases/${f.caseB}/collect`,
    expect: row('403', { anonymous: '401', 'grid-jinshui': '409' }),
  },
  {
    what: 'case B · POST /cases/assisted/:n/collect (page)',
    method: 'POST',
    url: (f) => `/cases/assisted/${f.caseB}/collect`,
    page: true,
    expect: row('403', { anonymous: '401', 'grid-jinshui': '409' }),
  },
  {
    // the kiosk's "what can I rate": a kiosk session's (the card read), never a login's
    what: 'kiosk · GET /kiosk/rate (no kiosk session)',
    url: () => `/kiosk/rate?hall=${HALL}`,
    page: true,
    expect: row('401'),
  },
  {
    // a hall's queue is the window's: who accepts at that hall (no department-bound grant)
    what: 'hall queue · GET /api/v1/workbench/queue?hall=',
    url: () => `/api/v1/workbench/queue?hall=${HALL}`,
    shows: listsB,
    expect: row('403', { ...QUEUE, clerk: '200+', admin: '200+' }),
  },
  {
    what: '市场监督管理局 (410100) queue · GET /api/v1/workbench/queue?department=',
    url: (f) => `/api/v1/workbench/queue?department=${f.cityAmr}`,
    shows: (body, f) => body.includes(f.caseA),
    expect: row('403', { ...QUEUE, approver: '200+', supervisor: '200+', admin: '200+' }),
  },
  {
    // the department's region is checked too: a township clerk holds no department, but not 410105
    what: '金水区人社局 (410105) queue · GET /api/v1/workbench/queue?department=',
    url: (f) => `/api/v1/workbench/queue?department=${f.jinshuiHr}`,
    shows: listsB,
    expect: row('403', { ...QUEUE, supervisor: '200+', admin: '200+' }),
  },
  {
    what: '洛阳市场监管局 (410300) queue · GET /api/v1/workbench/queue?department=',
    url: () => `/api/v1/workbench/queue?department=${LUOYANG_DEPT}`,
    expect: row('403', { ...QUEUE, admin: '200', 'luoyang-approver': '200' }),
  },
  {
    what: 'workbench · GET /workbench (page)',
    url: () => '/workbench',
    page: true,
    shows: listsB,
    expect: row('200-', { ...QUEUE, clerk: '200+', admin: '200+' }),
  },
  // ── supervision (效能监察, issue 16) ─────────────────────────────────────────────────────────
  {
    // the city's figures: its supervisor and the platform; a department-bound approver holds no stats.view
    what: 'figures of 410100 · GET /api/v1/stats/performance?region=410100',
    url: () => '/api/v1/stats/performance?region=410100',
    expect: row('403', { anonymous: '401', supervisor: '200', admin: '200' }),
  },
  {
    what: 'figures of 410100 · GET /api/v1/stats/performance.csv',
    url: () => '/api/v1/stats/performance.csv?region=410100',
    expect: row('403', { anonymous: '401', supervisor: '200', admin: '200' }),
  },
  {
    // 洛阳 lies outside the city supervisor's scope
    what: 'figures of 410300 · GET /api/v1/stats/performance?region=410300',
    url: () => '/api/v1/stats/performance?region=410300',
    expect: row('403', { anonymous: '401', admin: '200' }),
  },
  {
    what: 'red cards · GET /api/v1/stats/cards?colour=red&region=410100',
    url: () => '/api/v1/stats/cards?colour=red&region=410100',
    expect: row('403', { anonymous: '401', supervisor: '200', admin: '200' }),
  },
  {
    what: 'supervision · GET /supervision (page)',
    url: () => '/supervision',
    page: true,
    // not the hall's manager (大厅管理员): a hall's figures are on its own page, not the region's
    expect: row('403', { anonymous: '401', supervisor: '200', admin: '200' }),
  },
  {
    what: 'red cards · GET /supervision/cards?colour=red (page)',
    url: () => '/supervision/cards?colour=red&region=410100',
    page: true,
    shows: listsB,
    expect: row('403', { anonymous: '401', supervisor: '200-', admin: '200-' }),
  },
  {
    // figures only, no personal data: everyone alike
    what: 'public summary · GET /performance (page)',
    url: () => '/performance',
    page: true,
    shows: (body, f) => body.includes(f.caseA) || body.includes(f.caseB),
    expect: row('200-'),
  },
  // ── e-licences ─────────────────────────────────────────────────────────────────────────────
  {
    what: "citizen's licence · GET /api/v1/licences?holder=me",
    url: () => '/api/v1/licences?holder=me',
    shows: (body, f) => body.includes(f.licence),
    expect: row('200-', { anonymous: '401', citizen: '200+' }),
  },
  {
    what: "citizen's licence · GET /licences (wallet page)",
    url: () => '/licences',
    page: true,
    shows: (body, f) => body.includes(f.licence),
    expect: row('200-', { anonymous: '401', citizen: '200+' }),
  },
  {
    // the holder's own, by account: anyone else is refused before anything is rendered
    what: "citizen's licence · GET /licences/:id.pdf",
    url: (f) => `/licences/${f.licence}.pdf`,
    expect: row('403', { anonymous: '401', citizen: '200' }),
  },
  {
    // public verification shows the holder masked, to everyone alike
    what: "citizen's licence · GET /api/v1/licences/:id/verify",
    url: (f) => `/api/v1/licences/${f.licence}/verify`,
    shows: (body) => body.includes(DEMO_PEOPLE.citizen.idNumber) || body.includes(DEMO_PEOPLE.citizen.name),
    expect: row('200-'),
  },
  // ── halls: tickets and calls at the 经八路街道 hall ─────────────────────────────────────────
  {
    // at the desk (the hall's clerk, for a walk-in) or online (a person or an organisation for itself)
    what: 'hall · POST /api/v1/halls/:id/tickets',
    method: 'POST',
    url: () => `/api/v1/halls/${HALL}/tickets`,
    body: { line: 'B' },
    expect: row('403', {
      anonymous: '401',
      citizen: '201',
      citizen2: '201',
      enterprise: '201',
      clerk: '201',
      admin: '201',
      'hall-manager': '201',
    }),
  },
  {
    what: 'hall · POST /api/v1/halls/:id/windows/:w/call',
    method: 'POST',
    url: () => `/api/v1/halls/${HALL}/windows/2/call`,
    expect: row('403', { anonymous: '401', clerk: '200', admin: '200' }),
  },
  {
    // the fixture ticket waits (line C): only the hall's staff get as far as the workflow
    what: 'ticket · POST /api/v1/halls/:id/tickets/:t/actions {recall}',
    method: 'POST',
    url: (f) => `/api/v1/halls/${HALL}/tickets/${f.ticket}/actions`,
    body: { action: 'recall' },
    expect: row('403', { anonymous: '401', clerk: '409', admin: '409' }),
  },
  {
    // the receipt's link: position and wait, by the ticket's unguessable id; nothing personal
    what: 'ticket · GET /api/v1/halls/:id/tickets/:t',
    url: (f) => `/api/v1/halls/${HALL}/tickets/${f.ticket}`,
    expect: row('200'),
  },
  {
    what: 'hall · GET /halls/:id/desk (page)',
    url: () => `/halls/${HALL}/desk`,
    page: true,
    expect: row('403', { anonymous: '401', clerk: '200', admin: '200' }),
  },
  {
    what: 'hall · GET /api/v1/halls/:id/slots',
    url: () => `/api/v1/halls/${HALL}/slots?date=2026-12-08`,
    expect: row('200'),
  },
  {
    // 预约 for oneself: people and organisations; staff (the administrator too) book for nobody
    what: 'hall · POST /api/v1/halls/:id/appointments',
    method: 'POST',
    url: () => `/api/v1/halls/${HALL}/appointments`,
    body: { date: '2026-12-08', start: '10:30' },
    expect: row('403', { anonymous: '401', citizen: '201', citizen2: '201', enterprise: '201' }),
  },
  {
    what: 'hall · PUT /api/v1/halls/:id/quotas',
    method: 'PUT',
    url: () => `/api/v1/halls/${HALL}/quotas`,
    body: { line: 'A', perSlot: 6 },
    expect: row('403', { anonymous: '401', admin: '204', 'hall-manager': '204' }),
  },
  {
    what: 'hall · GET /api/v1/halls/:id/layout',
    url: () => `/api/v1/halls/${HALL}/layout`,
    expect: row('403', { anonymous: '401', admin: '200', 'hall-manager': '200' }),
  },
  {
    // checked whole and refused (no window calls lines B and C): nothing is written
    what: 'hall · PUT /api/v1/halls/:id/layout (line B, C unserved)',
    method: 'PUT',
    url: () => `/api/v1/halls/${HALL}/layout`,
    body: { windows: [{ number: 1, kind: 'general', lines: ['A'] }], hours: [] },
    expect: row('403', { anonymous: '401', admin: '400', 'hall-manager': '400' }),
  },
  {
    what: 'hall · GET /halls/:id/manage/layout (page)',
    url: () => `/halls/${HALL}/manage/layout`,
    page: true,
    expect: row('403', { anonymous: '401', admin: '200', 'hall-manager': '200' }),
  },
  {
    // the form with no windows: refused whole (400) for the hall's managers, nothing written
    what: 'hall · POST /halls/:id/manage/layout (page, no windows)',
    method: 'POST',
    url: () => `/halls/${HALL}/manage/layout`,
    page: true,
    body: {},
    expect: row('403', { anonymous: '401', admin: '400', 'hall-manager': '400' }),
  },
  {
    what: 'hall · GET /api/v1/halls/:id/figures',
    url: () => `/api/v1/halls/${HALL}/figures`,
    expect: row('403', { anonymous: '401', admin: '200', 'hall-manager': '200' }),
  },
  {
    what: 'hall · GET /halls/:id/manage (page)',
    url: () => `/halls/${HALL}/manage`,
    page: true,
    expect: row('403', { anonymous: '401', admin: '200', 'hall-manager': '200' }),
  },
  {
    what: 'hall · GET /halls/:id/screen (page)',
    url: () => `/halls/${HALL}/screen`,
    page: true,
    expect: row('200'),
  },
  // ── 好差评, 差评整改, 政民互动 ─────────────────────────────────────────────────────────────────
  {
    // the applicant passes to the stage check (not reached: 409); anyone else is told no such case
    what: 'case C · POST /api/v1/cases/:n/ratings {completed}',
    method: 'POST',
    url: (f) => `/api/v1/cases/${f.caseC}/ratings`,
    body: { level: 5, stage: 'completed', channel: 'web' },
    expect: row('404', { anonymous: '401', citizen: '409' }),
  },
  {
    what: 'case C · GET /api/v1/cases/:n/ratings',
    url: (f) => `/api/v1/cases/${f.caseC}/ratings`,
    expect: row('403', {
      anonymous: '401',
      citizen: '200',
      citizen2: '404',
      enterprise: '404',
      admin: '404',
    }),
  },
  {
    what: 'case C · GET /cases/:n/rate (page)',
    url: (f) => `/cases/${f.caseC}/rate`,
    page: true,
    expect: row('403', {
      anonymous: '401',
      citizen: '200',
      citizen2: '404',
      enterprise: '404',
      admin: '404',
    }),
  },
  {
    // the window QR: only a clerk of the receiving hall (case C was applied for online: none)
    what: 'case C · POST /api/v1/cases/:n/ratings/links',
    method: 'POST',
    url: (f) => `/api/v1/cases/${f.caseC}/ratings/links`,
    body: { stage: 'accepted', window: 'A01' },
    expect: row('403', { anonymous: '401', clerk: '404', admin: '404', 'clerk-other': '404' }),
  },
  {
    // the window pad: only a clerk whose grant covers the hall that received case B
    what: 'case B · GET /workbench/rate/:n (window pad page)',
    url: (f) => `/workbench/rate/${f.caseB}?window=A01`,
    page: true,
    expect: row('403', { anonymous: '401', clerk: '200', admin: '200', 'clerk-other': '404' }),
  },
  {
    // the window pad's QR (a one-time link): only a clerk whose grant covers case B's hall gets
    // past the scope check to the stage check (409: no link is issued); another region's is told
    // no such case
    what: 'case B · POST /workbench/rate/:n/qr (window pad page)',
    method: 'POST',
    url: (f) => `/workbench/rate/${f.caseB}/qr`,
    page: true,
    body: { window: 'A01', stage: 'accepted' },
    expect: row('403', { anonymous: '401', clerk: '409', admin: '409', 'clerk-other': '404' }),
  },
  {
    // the kiosk's 好差评 rates only for the person signed in at the kiosk: a bearer token is no
    // kiosk session (401), and nobody rates through it
    what: 'kiosk · POST /kiosk/rate (no kiosk session)',
    method: 'POST',
    url: (f) => `/kiosk/rate?hall=${HALL}&case=${f.caseC}`,
    page: true,
    body: { case: 'x', level: 5, stage: 'accepted' },
    expect: row('401', { anonymous: '403' }),
  },
  {
    what: 'forged link · POST /api/v1/ratings/links/:token',
    method: 'POST',
    url: () =>
      `/api/v1/ratings/links/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}.9999999999.${'A'.repeat(43)}`,
    body: { level: 5 },
    expect: row('404'),
  },
  {
    what: 'rectification · GET /api/v1/rectifications',
    url: () => '/api/v1/rectifications',
    shows: (body, f) => body.includes(f.rectification),
    expect: row('403', {
      anonymous: '401',
      approver: '200+',
      'county-approver': '200-',
      supervisor: '200+',
      admin: '200+',
      'luoyang-approver': '200-',
    }),
  },
  {
    what: 'rectification · GET /api/v1/rectifications/:id',
    url: (f) => `/api/v1/rectifications/${f.rectification}`,
    expect: row('403', {
      anonymous: '401',
      approver: '200',
      'county-approver': '404',
      supervisor: '200',
      admin: '200',
      'luoyang-approver': '404',
    }),
  },
  {
    what: 'rectification · GET /staff/rectifications/:id (page)',
    url: (f) => `/staff/rectifications/${f.rectification}`,
    page: true,
    expect: row('403', {
      anonymous: '401',
      approver: '200',
      'county-approver': '404',
      supervisor: '200',
      admin: '200',
      'luoyang-approver': '404',
    }),
  },
  {
    // an appeal is decided by a supervisor over the region: the department may not (403); the
    // rectification is open, so the supervisor's decision is refused by its state (409)
    what: 'rectification · POST /api/v1/rectifications/:id/steps {decideAppeal}',
    method: 'POST',
    url: (f) => `/api/v1/rectifications/${f.rectification}/steps`,
    body: { action: 'decideAppeal', upheld: true, note: '回访录音证实为误评' },
    expect: row('403', {
      anonymous: '401',
      'county-approver': '404',
      supervisor: '409',
      admin: '409',
      'luoyang-approver': '404',
    }),
  },
  {
    what: 'appeals · GET /supervision/appeals (page)',
    url: () => '/supervision/appeals',
    page: true,
    expect: row('403', { anonymous: '401', supervisor: '200', admin: '200' }),
  },
  {
    what: 'complaint · GET /api/v1/complaints/:n',
    url: (f) => `/api/v1/complaints/${f.complaint}`,
    expect: row('404', {
      anonymous: '401',
      citizen: '200',
      approver: '200',
      supervisor: '200',
      admin: '200',
    }),
  },
  {
    what: 'complaint · GET /complaints/:n (page)',
    url: (f) => `/complaints/${f.complaint}`,
    page: true,
    expect: row('403', {
      anonymous: '401',
      citizen: '200',
      citizen2: '404',
      enterprise: '404',
      admin: '200',
    }),
  },
  {
    what: 'complaint · GET /staff/complaints/:n (page)',
    url: (f) => `/staff/complaints/${f.complaint}`,
    page: true,
    expect: row('403', {
      anonymous: '401',
      approver: '200',
      'county-approver': '404',
      supervisor: '200',
      admin: '200',
      'luoyang-approver': '404',
    }),
  },
  {
    what: 'complaint · GET /api/v1/complaints/queue',
    url: () => '/api/v1/complaints/queue',
    shows: (body, f) => body.includes(f.complaint),
    expect: row('403', {
      anonymous: '401',
      approver: '200+',
      'county-approver': '200-',
      supervisor: '200+',
      admin: '200+',
      'luoyang-approver': '200-',
    }),
  },
  {
    // the filer rates the answer, once it exists (409 before); nobody else may
    what: 'complaint · POST /api/v1/complaints/:n/rating',
    method: 'POST',
    url: (f) => `/api/v1/complaints/${f.complaint}/rating`,
    body: { level: 5 },
    expect: row('403', {
      anonymous: '401',
      citizen: '409',
      citizen2: '404',
      enterprise: '404',
      admin: '404',
    }),
  },
  {
    // the 12345 intake takes machine clients of the hotline role (admin holds every permission: its
    // empty body is refused)
    what: 'complaints · POST /api/v1/complaints/hotline',
    method: 'POST',
    url: () => '/api/v1/complaints/hotline',
    body: {},
    expect: row('403', { anonymous: '401', admin: '400' }),
  },
  {
    // last: the department's handler answers (200), after which a second answer is refused (409)
    what: 'complaint · POST /api/v1/complaints/:n/answer',
    method: 'POST',
    url: (f) => `/api/v1/complaints/${f.complaint}/answer`,
    body: { answer: '已督促承办人员办理。' },
    expect: row('403', {
      anonymous: '401',
      approver: '200',
      'county-approver': '404',
      admin: '409',
      'luoyang-approver': '404',
    }),
  },
  {
    // step 3 starts the citizen's application under the 委托 (the agent's draft, then the apply
    // journey); everyone else is refused and nothing is written (last: it writes the agent's draft)
    what: "assisted · POST /cases/assisted/apply/:delegation (citizen's)",
    method: 'POST',
    url: (f) => `/cases/assisted/apply/${f.delegation}`,
    page: true,
    body: { itemCode: CITY_ITEM },
    expect: row('403', { anonymous: '401', 'grid-jinshui': '303' }),
  },
  {
    // the journey of that draft, keyed by the person (/items/{code}/for/{person}/apply): only the
    // agent whose draft it is opens it; the person themself, another citizen, staff of any region or
    // department and the other grid workers are refused (no draft of theirs for that person)
    what: "assisted · GET /items/:code/for/:citizen/apply (the agent's draft)",
    url: (f) => `/items/${CITY_ITEM}/for/${f.citizen}/apply`,
    page: true,
    shows: (body) => body.includes('张'),
    expect: row('403', { anonymous: '401', 'grid-jinshui': '200+' }),
  },
  {
    // and a step posted to it by anyone else writes nothing: refused before the draft is touched;
    // the agent's incomplete step comes back to be corrected (400, the form with its errors)
    what: 'assisted · POST /items/:code/for/:citizen/apply/applicant',
    method: 'POST',
    url: (f) => `/items/${CITY_ITEM}/for/${f.citizen}/apply/applicant`,
    page: true,
    body: { regionCode: '410105001' },
    expect: row('403', { anonymous: '401', 'grid-jinshui': '400' }),
  },
];

/** Pads to a width in terminal columns (a Chinese character takes two). */
const pad = (s: string, width: number) =>
  s + ' '.repeat(Math.max(0, width - [...s].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
const LABEL = 72;

describe('scopes fail closed › role × scope × object', () => {
  let t: TongbanApp;
  const tokens = new Map<Caller, string>();
  let f: Fixtures;

  before(async () => {
    // a Monday at 10:00 in Zhengzhou, when the halls issue tickets
    // on SQLite, the store a node runs (a file, group commit): an action's checks run inside its
    // transaction there (ADR 0032), a path the in-memory store never takes
    t = await buildTestApp({ demo: 'on', clock: new ManualClock('2026-12-07T02:00:00Z'), shipped: true });
    if (testDialect() === 'sqlite') assert.ok(t.store.groupCommit, 'the shipped SQLite store');
    await sql`insert into regions_departments (id, kind, name, name_en, level, region_code, credit_code, demo)
      values (${LUOYANG_DEPT}, 'scjgj', '洛阳市市场监督管理局', 'Luoyang AMR', 'city', '410300', '11410300MB1234567X', 0)`.execute(
      t.store.db,
    );
    await t.identity.service.register({
      kind: 'person',
      login: 'citizen2',
      password: DEMO_PASSWORD,
      name: DEMO_PEOPLE.unregistered.name,
      idNumber: DEMO_PEOPLE.unregistered.idNumber,
      mobile: DEMO_PEOPLE.unregistered.mobile,
    });
    await t.identity.service.createStaff({
      login: 'luoyang-approver',
      name: '洛阳审批',
      password: DEMO_PASSWORD,
      regionCode: '410300',
      departmentId: LUOYANG_DEPT,
      hallId: null,
      grants: [{ role: 'approver', regionPrefix: '4103', departmentId: LUOYANG_DEPT }],
    });
    // a clerk of another township hall (花园路街道) and the 经八路街道 hall's manager
    await t.identity.service.createStaff({
      login: 'clerk-other',
      name: '林窗口',
      password: DEMO_PASSWORD,
      regionCode: '410105002',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'windowClerk', regionPrefix: '410105002', departmentId: null }],
    });
    // (the 经八路街道 hall's manager is the demo's `hall-manager`; the demo's `grid-worker` serves
    // 体育社区 and holds the demo elder's 委托, not the citizen's)
    // a 网格员 of 金水区 (the citizen's district), to whom the citizen gives a 委托 below
    await t.identity.service.createStaff({
      login: 'grid-jinshui',
      name: '网格员',
      password: DEMO_PASSWORD,
      regionCode: '410105',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'gridWorker', regionPrefix: '410105', departmentId: null }],
    });
    // a 网格员 of another grid (中原区), holding no 委托
    await t.identity.service.createStaff({
      login: 'grid-other',
      name: '网格员',
      password: DEMO_PASSWORD,
      regionCode: '410102',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'gridWorker', regionPrefix: '410102', departmentId: null }],
    });
    for (const c of CALLERS) if (c !== 'anonymous') tokens.set(c, (await t.identity.tokenForLogin(c)).token);
    const as = (c: Caller) => ({ authorization: `Bearer ${tokens.get(c)}` });
    const post = async (c: Caller, url: string, payload: Record<string, unknown>) => {
      const r = await t.app.inject({ method: 'POST', url, headers: as(c), payload });
      assert.equal(r.statusCode, 201, r.body);
      return r.json();
    };
    const scan = async (code: string) => {
      const m = (await t.catalog.getPublishedItem(code))?.materials[0]?.code;
      assert.ok(m, code);
      return [
        {
          code: m,
          filename: 'id-card-scan.pdf',
          mediaType: 'application/pdf',
          contentBase64: PDF.toString('base64'),
        },
      ];
    };
    const caseA = (
      await post('citizen', '/api/v1/cases', {
        implementationCode: CITY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, CITY_ITEM),
        materials: await scan(CITY_ITEM),
      })
    ).caseNumber as string;
    // a walk-in: the clerk enters it for the citizen at the hall, with the citizen's ID scan
    const citizenId = await t.identity.accountIdByLogin('citizen');
    const caseB = (
      await post('clerk', '/api/v1/cases', {
        implementationCode: COUNTY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, COUNTY_ITEM),
        materials: await scan(COUNTY_ITEM),
        hallId: HALL,
        applicantId: citizenId,
      })
    ).caseNumber as string;
    const viewOf = async (n: string) =>
      (await t.app.inject({ url: `/api/v1/cases/${n}`, headers: as('citizen') })).json();
    const [a, b] = [await viewOf(caseA), await viewOf(caseB)];
    const birth = (await t.catalog.listBundles()).find((x) => x.code === 'BIRTH');
    assert.ok(birth);
    const bundleForm: Record<string, unknown> = {};
    for (const m of birth.members) Object.assign(bundleForm, await validForm(t, m.implementationCode));
    const bundle = (
      await post('citizen', '/api/v1/bundles', {
        bundleCode: 'BIRTH',
        regionCode: '410105001',
        form: bundleForm,
      })
    ).bundleNumber as string;
    const licences = (
      await t.app.inject({ url: '/api/v1/licences?holder=me', headers: as('citizen') })
    ).json();
    const licence = licences.licences[0]?.identifier as string;
    assert.ok(licence, 'the demo citizen holds an e-licence');
    const departments = (await t.app.inject({ url: '/api/v1/departments?region=410100' })).json()
      .departments as Array<{
      id: string;
      name: string;
    }>;
    const cityAmr = departments.find((d) => d.name === '郑州市市场监督管理局')?.id;
    assert.ok(cityAmr);
    assert.equal(a.departmentId, cityAmr);
    // case C: accepted, rated poor by its applicant (a rectification), complained about
    const caseC = (
      await post('citizen', '/api/v1/cases', {
        implementationCode: CITY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, CITY_ITEM),
      })
    ).caseNumber as string;
    const accepted = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseC}/actions`,
      headers: as('admin'),
      payload: { action: 'accept' },
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const rectification = (
      await post('citizen', `/api/v1/cases/${caseC}/ratings`, { level: 1, stage: 'accepted', channel: 'web' })
    ).rectificationId as string;
    const complaint = (
      await post('citizen', '/api/v1/complaints', {
        kind: 'complaint',
        subject: { type: 'case', caseNumber: caseC },
        title: '进度慢',
        body: '受理以后没有进展。',
      })
    ).complaintNumber as string;
    // the citizen's draft of the city item, with an answer no one else may read
    const draftMarker = `草稿-${caseA.slice(-6)}`;
    const citizen = await t.identity.principalForAccount(citizenId!);
    const app = await t.cases.application(CITY_ITEM);
    const field = app?.formFields.find((x) => x.type === 'string' && !/id|mobile|phone/i.test(x.name));
    assert.ok(citizen && field);
    await t.cases.saveDraft(citizen, CITY_ITEM, { regionCode: '410105001', [field.name]: draftMarker });
    const delegation = await t.identity.service.createDelegation(citizen, {
      agentLogin: 'grid-jinshui',
      scopes: ['*'],
      validTo: '2027-06-30T16:00:00Z',
    });
    Object.assign(ASSIST, {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await validForm(t, CITY_ITEM),
      onBehalfOf: citizenId,
    });
    f = {
      delegation,
      citizen: citizenId!,
      caseC,
      rectification,
      complaint,
      caseA,
      caseB,
      fileA: a.materials[0].sha256,
      fileB: b.materials[0].sha256,
      bundle,
      licence,
      cityAmr,
      jinshuiHr: b.departmentId,
      draftMarker,
      ticket: (await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'C' })).id as string,
    };
  });
  after(async () => t.close());

  test('every caller gets what the table says on every case, file, draft, licence and queue route', async (c) => {
    const failures: string[] = [];
    const lines: string[] = [];
    for (const check of CHECKS) {
      const got: string[] = [];
      for (const caller of CALLERS) {
        const token = tokens.get(caller);
        const res = await t.app.inject({
          method: check.method ?? 'GET',
          url: check.url(f),
          headers: {
            accept: check.page ? 'text/html' : 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(check.body ? { payload: check.body } : {}),
        });
        const want = check.expect[caller];
        let cell = String(res.statusCode);
        // an anonymous page request may be sent to sign in instead
        if (want === '401' && res.statusCode === 303 && String(res.headers.location).startsWith('/login'))
          cell = '401';
        if (cell === '200' && check.shows) cell += check.shows(res.body, f) ? '+' : '-';
        got.push(cell === want ? cell : `${cell}≠${want}`);
        if (cell !== want) failures.push(`${check.what} as ${caller}: ${cell}, want ${want}`);
      }
      lines.push(
        `${pad(check.what, LABEL)} ${got.map((x, i) => x.padEnd(CALLERS[i]!.length + 1)).join(' ')}`,
      );
    }
    c.diagnostic(
      'the matrix checked (status; + the answer shows the object, - it does not; ≠ what the table wants):',
    );
    c.diagnostic(`${pad('', LABEL)} ${CALLERS.join('  ')}`);
    for (const l of lines) c.diagnostic(l);
    assert.deepEqual(failures, []);
  });

  test('an action that the workflow would allow, sent by those who may not take it: refused, and nothing of the case written', async () => {
    // on SQLite this store is the shipped one: the case is read and checked inside the action's
    // transaction, and the update sets only the columns it changes — a refusal there rolls back
    const as = (c: Caller) => (c === 'anonymous' ? {} : { authorization: `Bearer ${tokens.get(c)}` });
    const submitted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: as('citizen'),
      payload: {
        implementationCode: CITY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, CITY_ITEM),
      },
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const n = submitted.json().caseNumber as string;
    const snapshot = async () => ({
      row: (await sql`select * from cases where case_number = ${n}`.execute(t.store.db)).rows[0],
      actions: (
        await sql<{
          k: number | string;
        }>`select count(*) as k from case_actions a join cases c on c.id = a.case_id
          where c.case_number = ${n}`.execute(t.store.db)
      ).rows[0]!.k,
      events: (
        await sql<{ k: number | string }>`select count(*) as k from events where aggregate_id = ${n}`.execute(
          t.store.db,
        )
      ).rows[0]!.k,
    });
    const before = await snapshot();
    const got: string[] = [];
    for (const caller of [
      'anonymous',
      'citizen2',
      'clerk-other',
      'luoyang-approver',
      'county-approver',
      'grid-other',
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${n}/actions`,
        headers: as(caller),
        payload: { action: 'accept' },
      });
      got.push(`${caller} ${r.statusCode} ${r.json().error?.code}`);
    }
    // who holds no acceptance for the case is not told it exists (404); a window clerk of another
    // hall holds the permission for another region (403); nobody is let through
    assert.deepEqual(got, [
      'anonymous 401 COMMON.UNAUTHENTICATED',
      'citizen2 404 CASES.NOT_FOUND',
      'clerk-other 403 CASES.OUT_OF_SCOPE',
      'luoyang-approver 404 CASES.NOT_FOUND',
      'county-approver 404 CASES.NOT_FOUND',
      'grid-other 404 CASES.NOT_FOUND',
    ]);
    assert.deepEqual(
      await snapshot(),
      before,
      'the refused left the case, its record and its events as they were',
    );
    // the same action by one who may: written (the check above could not pass by writing nothing at all)
    const ok = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${n}/actions`,
      headers: as('admin'),
      payload: { action: 'accept' },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const after = await snapshot();
    assert.notDeepEqual(after.row, before.row);
    assert.equal(Number(after.actions), Number(before.actions) + 1);
  });

  test('a revoked 委托 closes the agent’s draft for the person: pages and steps refused', async () => {
    const url = `/items/${CITY_ITEM}/for/${f.citizen}/apply`;
    const as = (method: 'GET' | 'POST', u: string, payload?: Record<string, string>) =>
      t.app.inject({
        method,
        url: u,
        headers: { accept: 'text/html', authorization: `Bearer ${tokens.get('grid-jinshui')}` },
        ...(payload ? { payload } : {}),
      });
    assert.equal((await as('GET', url)).statusCode, 200, 'the agent opens the draft while the 委托 lives');
    const citizen = await t.identity.principalForAccount(f.citizen);
    assert.ok(citizen);
    await t.identity.service.revokeDelegation(citizen, f.delegation);
    assert.equal((await as('GET', url)).statusCode, 403, 'the saved answers are not shown any more');
    assert.equal((await as('GET', `${url}/applicant`)).statusCode, 403);
    assert.equal((await as('POST', `${url}/applicant`, { regionCode: '410105001' })).statusCode, 403);
  });
});

/**
 * The data-sharing exchange (issue 12): its routes called by a consumer department holding a grant
 * on the population register, one holding none, the provider of that register (公安局's department
 * administrator), the provider of another resource (民政局's), a department-bound approver of
 * another department (市场监管局), a citizen, a second citizen (whose data no consumer read), a window
 * clerk of another district (中原区), an administrator and nobody. Bodies are chosen so a cell
 * changes nothing but the one objection the citizen raises. The catalogue's list and entries are
 * public, their details (data items, condition, basis, history) for staff and consumers only.
 */
const X_CALLERS = [
  'anonymous',
  'citizen',
  'citizen2',
  'clerk-other',
  'consumer-granted',
  'consumer-no-grant',
  'provider',
  'provider-other',
  'approver',
  'admin',
] as const;
type XCaller = (typeof X_CALLERS)[number];
type XRow = Readonly<Record<XCaller, Cell | '201' | '400'>>;
const xrow = (all: XRow[XCaller], but: Partial<XRow> = {}): XRow =>
  Object.fromEntries(X_CALLERS.map((c) => [c, but[c] ?? all])) as XRow;
/** the catalogue's details: shown to staff and consumer systems, never to nobody or a citizen */
const X_DETAILS = xrow('200+', { anonymous: '200-', citizen: '200-', citizen2: '200-' });

describe('scopes fail closed › the exchange: consumer × provider × object', () => {
  let t: TongbanApp;
  const tokens = new Map<XCaller, string>();
  let pendingRequest = '';
  let grantId = '';
  let accessId = '';
  let objectionId = '';
  let gaj = '';

  before(async () => {
    t = await buildTestApp({ demo: 'on', shipped: true });
    const dept = async (kind: string) =>
      (
        await sql<{
          id: string;
        }>`select id from regions_departments where kind = ${kind} and region_code = '410100'`.execute(
          t.store.db,
        )
      ).rows[0]!.id;
    const clientToken = async (kind: string) => {
      const c = await t.exchange.addConsumer({ departmentId: await dept(kind), name: 'matrix' });
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
      });
      return r.json().access_token as string;
    };
    tokens.set('consumer-granted', await clientToken('mzj'));
    tokens.set('consumer-no-grant', await clientToken('fgj'));
    for (const [login, kind] of [
      ['gaj-admin', 'gaj'],
      ['mzj-admin', 'mzj'],
    ] as const) {
      const departmentId = await dept(kind);
      await t.identity.service.createStaff({
        login,
        name: `${kind}管理员`,
        password: DEMO_PASSWORD,
        regionCode: '410100',
        departmentId,
        hallId: null,
        grants: [{ role: 'departmentAdmin', regionPrefix: '4101', departmentId }],
      });
    }
    await t.identity.service.register({
      kind: 'person',
      login: 'citizen2',
      password: DEMO_PASSWORD,
      name: DEMO_PEOPLE.unregistered.name,
      idNumber: DEMO_PEOPLE.unregistered.idNumber,
      mobile: DEMO_PEOPLE.unregistered.mobile,
    });
    // a window clerk of a 中原区 township hall: staff, but no exchange permission and another district
    await t.identity.service.createStaff({
      login: 'clerk-other',
      name: '林窗口',
      password: DEMO_PASSWORD,
      regionCode: '410102001',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'windowClerk', regionPrefix: '410102001', departmentId: null }],
    });
    tokens.set('citizen2', (await t.identity.tokenForLogin('citizen2')).token);
    tokens.set('clerk-other', (await t.identity.tokenForLogin('clerk-other')).token);
    gaj = await dept('gaj');
    tokens.set('provider', (await t.identity.tokenForLogin('gaj-admin')).token);
    tokens.set('provider-other', (await t.identity.tokenForLogin('mzj-admin')).token);
    tokens.set('citizen', (await t.identity.tokenForLogin('citizen')).token);
    // the demo's approver: bound to 市场监管局, another department than either provider
    tokens.set('approver', (await t.identity.tokenForLogin('approver')).token);
    tokens.set('admin', (await t.identity.tokenForLogin('admin')).token);
    const as = (c: XCaller) => ({ authorization: `Bearer ${tokens.get(c)}` });
    // a request waiting for the 公安局 (the name in clear is sensitive), and 民政局's grant
    const req = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/requests',
      headers: as('consumer-no-grant'),
      payload: {
        resource: '1-410100-GA-RK-0001',
        fields: ['name'],
        clearFields: ['name'],
        purpose: '住房保障资格审核',
        legalBasis: '《公共租赁住房管理办法》',
        period: { from: '2026-01-01', to: '2030-12-31' },
        volume: 10,
      },
    });
    assert.equal(req.json().status, 'pending', req.body);
    pendingRequest = req.json().id;
    grantId = (
      await sql<{
        id: string;
      }>`select id from exchange_grants where department_id = ${await dept('mzj')}`.execute(t.store.db)
    ).rows[0]!.id;
    const read = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: as('consumer-granted'),
      payload: { resource: '1-410100-GA-RK-0001', key: DEMO_PEOPLE.citizen.idNumber, purpose: '低保核对' },
    });
    assert.equal(read.statusCode, 200, read.body);
    accessId = read.json().accessId;
    // a second read, to which the citizen objects now: the objection the answer rows aim at
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: as('consumer-granted'),
      payload: { resource: '1-410100-GA-RK-0001', key: DEMO_PEOPLE.citizen.idNumber, purpose: '低保复核' },
    });
    assert.equal(again.statusCode, 200, again.body);
    const objection = await t.app.inject({
      method: 'POST',
      url: `/api/v1/me/data-access/${again.json().accessId}/objections`,
      headers: as('citizen'),
      payload: { text: '我没有办理相关事项' },
    });
    assert.equal(objection.statusCode, 201, objection.body);
    objectionId = objection.json().id;
  });
  after(async () => t.close());

  test('every caller gets what the table says on every exchange route', async (c) => {
    const checks: ReadonlyArray<{
      what: string;
      method?: 'POST' | 'PATCH' | 'PUT';
      url: () => string;
      page?: boolean;
      body?: Record<string, unknown>;
      shows?: (body: string) => boolean;
      expect: XRow;
    }> = [
      {
        // the list is public; its details (+: the data items and legal basis) for staff and consumers
        what: 'GET /api/v1/exchange/resources',
        url: () => '/api/v1/exchange/resources',
        shows: (body) => body.includes('"legalBasis"') && body.includes('relationToHead'),
        expect: X_DETAILS,
      },
      {
        what: '人口库 · GET /api/v1/exchange/resources/:code',
        url: () => '/api/v1/exchange/resources/1-410100-GA-RK-0001',
        shows: (body) => body.includes('"items"') && body.includes('relationToHead'),
        expect: X_DETAILS,
      },
      {
        what: '人口库 · GET /exchange/resources/:code (page)',
        url: () => '/exchange/resources/1-410100-GA-RK-0001',
        page: true,
        shows: (body) => body.includes('relationToHead') && body.includes('《政务数据共享条例》'),
        expect: X_DETAILS,
      },
      {
        what: 'GET /exchange (page)',
        url: () => '/exchange',
        page: true,
        shows: (body) => body.includes('relationToHead'),
        expect: xrow('200-'),
      },
      {
        what: 'citizen · POST /api/v1/exchange/lookup',
        method: 'POST',
        url: () => '/api/v1/exchange/lookup',
        body: { resource: '1-410100-GA-RK-0001', key: DEMO_PEOPLE.citizen.idNumber, purpose: '核对' },
        expect: xrow('403', { anonymous: '401', 'consumer-granted': '200' }),
      },
      {
        what: 'POST /api/v1/exchange/requests (no fields: 400 after the gate)',
        method: 'POST',
        url: () => '/api/v1/exchange/requests',
        body: { resource: '1-410100-GA-RK-0001', fields: [] },
        expect: xrow('403', {
          anonymous: '401',
          'consumer-granted': '400',
          'consumer-no-grant': '400',
          admin: '400',
        }),
      },
      {
        // a refusal without a reason: only the provider gets past the provider check to the 400
        what: 'pending · POST /api/v1/exchange/requests/:id/decision',
        method: 'POST',
        url: () => `/api/v1/exchange/requests/${pendingRequest}/decision`,
        body: { decision: 'refuse', reason: '' },
        expect: xrow('403', { anonymous: '401', provider: '400', admin: '400' }),
      },
      {
        what: "民政局's grant · POST /api/v1/exchange/grants/:id/status",
        method: 'POST',
        url: () => `/api/v1/exchange/grants/${grantId}/status`,
        body: { status: 'suspended', reason: '' },
        expect: xrow('403', { anonymous: '401', provider: '400', admin: '400' }),
      },
      {
        what: 'GET /api/v1/me/data-access',
        url: () => '/api/v1/me/data-access',
        shows: (body) => body.includes(accessId),
        expect: xrow('200-', { anonymous: '401', citizen: '200+' }),
      },
      {
        what: 'GET /account/data-access (page)',
        url: () => '/account/data-access',
        page: true,
        shows: (body) => body.includes(accessId),
        expect: xrow('200-', { anonymous: '401', citizen: '200+' }),
      },
      {
        // the 公安局's dashboard: its own administrator and the platform's; not 民政局's, not consumers
        what: '公安局 · GET /exchange/provider?department= (page)',
        url: () => `/exchange/provider?department=${gaj}`,
        page: true,
        shows: (body) => body.includes('人口基本信息'),
        expect: xrow('403', { anonymous: '401', provider: '200+', admin: '200+' }),
      },
      {
        what: 'own department · GET /exchange/provider (page)',
        url: () => '/exchange/provider',
        page: true,
        shows: (body) => body.includes('人口基本信息'),
        expect: xrow('403', { anonymous: '401', provider: '200+', 'provider-other': '200-' }),
      },
      {
        // 不予共享 without its legal basis: only the provider (and the platform) get past the
        // provider check to the 400; nothing is written in any cell
        what: '公安局 resource · PATCH /api/v1/exchange/resources/:code',
        method: 'PATCH',
        url: () => '/api/v1/exchange/resources/1-410100-GA-RK-0001',
        body: { shareType: 'none', legalBasis: '' },
        expect: xrow('403', { anonymous: '401', provider: '400', admin: '400' }),
      },
      {
        // the version history is a detail: staff and consumers; a citizen is refused
        what: 'GET /api/v1/exchange/resources/:code/versions',
        url: () => '/api/v1/exchange/resources/1-410100-GA-RK-0001/versions',
        expect: xrow('200', { anonymous: '401', citizen: '403', citizen2: '403' }),
      },
      {
        what: '公安局 · GET /api/v1/exchange/objections?department=',
        url: () => `/api/v1/exchange/objections?department=${gaj}`,
        expect: xrow('403', { anonymous: '401', provider: '200', admin: '200' }),
      },
      {
        what: 'GET /exchange/resources/:code/edit (page)',
        url: () => '/exchange/resources/1-410100-GA-RK-0001/edit',
        page: true,
        expect: xrow('403', { anonymous: '401', provider: '200', admin: '200' }),
      },
      {
        // a bulk file: 民政局's grant is for lookups only, 住房保障 holds none, staff are no consumers
        what: 'POST /api/v1/exchange/exports',
        method: 'POST',
        url: () => '/api/v1/exchange/exports',
        body: { resource: '1-410100-GA-RK-0001', keys: [DEMO_PEOPLE.citizen.idNumber], purpose: '核对' },
        expect: xrow('403', { anonymous: '401' }),
      },
      {
        // 校核纠错 by a consumer, naming a key that is not the read's: refused as no read at all
        what: "民政局's read · POST /api/v1/exchange/access/:id/error-reports (wrong key)",
        method: 'POST',
        url: () => `/api/v1/exchange/access/${accessId}/error-reports`,
        body: { key: '410105198511200224', text: '姓名登记有误，请核查' },
        expect: xrow('403', { anonymous: '401', 'consumer-granted': '404', 'consumer-no-grant': '404' }),
      },
      {
        // 校核纠错 notices: a consumer's own department's; staff are no consumers
        what: 'GET /api/v1/exchange/corrections',
        url: () => '/api/v1/exchange/corrections',
        expect: xrow('403', { anonymous: '401', 'consumer-granted': '200', 'consumer-no-grant': '200' }),
      },
      {
        // 校核纠错 pushed: a consumer system's own department's notification list
        what: 'GET /api/v1/exchange/notices',
        url: () => '/api/v1/exchange/notices',
        expect: xrow('403', { anonymous: '401', 'consumer-granted': '200', 'consumer-no-grant': '200' }),
      },
      {
        // a webhook that is not https: only consumer systems get past the gate to the 400; nothing written
        what: 'PUT /api/v1/exchange/consumer/webhook (http: 400 after the gate)',
        method: 'PUT',
        url: () => '/api/v1/exchange/consumer/webhook',
        body: { url: 'http://consumer.example/hook' },
        expect: xrow('403', { anonymous: '401', 'consumer-granted': '400', 'consumer-no-grant': '400' }),
      },
      {
        // a header and no rows: nothing written; 公安 keeps 人口库, 民政 (a theme drawn from it) does not
        what: '人口库 · POST /api/v1/exchange/registers/population/import',
        method: 'POST',
        url: () => '/api/v1/exchange/registers/population/import',
        body: { format: 'csv', data: 'idNumber,name\n' },
        expect: xrow('403', { anonymous: '401', provider: '200', admin: '200' }),
      },
      {
        // the edit form with 不予共享 and no legal basis: the provider and the platform reach the 400
        what: '公安局 resource · POST /exchange/resources/:code/edit (page)',
        method: 'POST',
        url: () => '/exchange/resources/1-410100-GA-RK-0001/edit',
        page: true,
        body: { shareType: 'none', legalBasis: '' },
        expect: xrow('403', { anonymous: '401', provider: '400', admin: '400' }),
      },
      {
        // correcting a field that cannot be corrected: only the provider (and the platform) get past
        // the provider check to the 400; the objection stays open
        what: "公安局's objection · POST /api/v1/exchange/objections/:id/answer",
        method: 'POST',
        url: () => `/api/v1/exchange/objections/${objectionId}/answer`,
        body: { result: 'corrected', answer: '经核实已更正', corrections: [{ field: 'nope', value: 'x' }] },
        expect: xrow('403', { anonymous: '401', provider: '400', admin: '400' }),
      },
      {
        what: "公安局's objection · POST /exchange/provider/objections/:id/answer (page)",
        method: 'POST',
        url: () => `/exchange/provider/objections/${objectionId}/answer`,
        page: true,
        body: { result: 'corrected', answer: '经核实已更正', field: 'nope', value: 'x', department: gaj },
        expect: xrow('403', { anonymous: '401', provider: '400', admin: '400' }),
      },
      {
        // an objection that is no one's: a provider is told no such objection, others refused
        what: 'POST /api/v1/exchange/objections/:id/answer (unknown)',
        method: 'POST',
        url: () => `/api/v1/exchange/objections/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}/answer`,
        body: { result: 'rejected', answer: '经核实登记无误' },
        expect: xrow('403', { anonymous: '401', provider: '404', 'provider-other': '404', admin: '404' }),
      },
      {
        what: 'POST /exchange/provider/objections/:id/answer (page, unknown)',
        method: 'POST',
        url: () => `/exchange/provider/objections/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}/answer`,
        page: true,
        body: { result: 'rejected', answer: '经核实登记无误' },
        expect: xrow('403', { anonymous: '401', provider: '404', 'provider-other': '404', admin: '404' }),
      },
      {
        what: "citizen's read · POST /api/v1/me/data-access/:id/objections",
        method: 'POST',
        url: () => `/api/v1/me/data-access/${accessId}/objections`,
        body: { text: '我没有办理相关事项' },
        expect: xrow('404', { anonymous: '401', citizen: '201' }),
      },
    ];
    const failures: string[] = [];
    const lines: string[] = [];
    for (const check of checks) {
      const got: string[] = [];
      for (const caller of X_CALLERS) {
        const token = tokens.get(caller);
        const res = await t.app.inject({
          method: check.method ?? 'GET',
          url: check.url(),
          headers: {
            accept: check.page ? 'text/html' : 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(check.body ? { payload: check.body } : {}),
        });
        const want = check.expect[caller];
        let cell = String(res.statusCode);
        if (want === '401' && res.statusCode === 303 && String(res.headers.location).startsWith('/login'))
          cell = '401';
        if (cell === '200' && check.shows) cell += check.shows(res.body) ? '+' : '-';
        got.push(cell === want ? cell : `${cell}≠${want}`);
        if (cell !== want) failures.push(`${check.what} as ${caller}: ${cell}, want ${want}`);
      }
      lines.push(
        `${pad(check.what, LABEL)} ${got.map((x, i) => x.padEnd(X_CALLERS[i]!.length + 1)).join(' ')}`,
      );
    }
    c.diagnostic(`${pad('', LABEL)} ${X_CALLERS.join('  ')}`);
    for (const l of lines) c.diagnostic(l);
    assert.deepEqual(failures, []);
  });
});

// ── 依申请公开 (issue 13) ────────────────────────────────────────────────────────────────────────
// A request filed online by `citizen` to 郑州市市场监督管理局: its requester and the body's 政务公开
// staff (`discloser`) see it; another requester, staff of another body (金水区), staff of the same
// department without disclosure.handle (`approver`) find nothing; only the body acts on it.

const D_CALLERS = [
  'anonymous',
  'citizen',
  'enterprise',
  'discloser',
  'jinshui-discloser',
  'approver',
  'clerk',
  'admin',
] as const;
type DCaller = (typeof D_CALLERS)[number];
type DCell = '200' | '200+' | '200-' | '201' | '204' | '401' | '403' | '404' | '409';
const drow = (all: DCell, but: Partial<Record<DCaller, DCell>> = {}) =>
  Object.fromEntries(D_CALLERS.map((c) => [c, but[c] ?? all])) as Record<DCaller, DCell>;
interface DFixtures {
  request: string;
  publication: string;
  file: string;
  cityAmr: string;
}
const D_SEES = drow('404', { anonymous: '401', citizen: '200', discloser: '200', admin: '200' });
const D_QUEUE = drow('403', { anonymous: '401', discloser: '200+', admin: '200+' });
const D_PUBLISHES = drow('403', {
  anonymous: '401',
  discloser: '200',
  'jinshui-discloser': '404',
  admin: '200',
});
const D_CHECKS: ReadonlyArray<{
  what: string;
  method?: 'GET' | 'POST';
  url: (f: DFixtures) => string;
  page?: boolean;
  body?: (f: DFixtures) => Record<string, unknown>;
  shows?: (body: string, f: DFixtures) => boolean;
  expect: Record<DCaller, DCell>;
}> = [
  {
    what: 'request · GET /api/v1/disclosure/requests/:n',
    url: (f) => `/api/v1/disclosure/requests/${f.request}`,
    expect: D_SEES,
  },
  {
    what: 'request · GET /disclosure/requests/:n (page)',
    url: (f) => `/disclosure/requests/${f.request}`,
    page: true,
    expect: D_SEES,
  },
  {
    what: 'request attachment · GET …/attachments/:sha256',
    url: (f) => `/api/v1/disclosure/requests/${f.request}/attachments/${f.file}`,
    expect: D_SEES,
  },
  {
    // the body's step: scope first, then the workflow refuses (no consultation is open)
    what: 'request · POST actions {thirdPartyReplied}',
    method: 'POST',
    url: (f) => `/api/v1/disclosure/requests/${f.request}/actions`,
    body: () => ({ action: 'thirdPartyReplied', consents: true }),
    expect: drow('404', { anonymous: '401', citizen: '403', discloser: '409', admin: '409' }),
  },
  {
    what: 'my requests · GET /api/v1/disclosure/requests',
    url: () => '/api/v1/disclosure/requests',
    shows: (body, f) => body.includes(f.request),
    expect: drow('403', { anonymous: '401', citizen: '200+', enterprise: '200-', admin: '200-' }),
  },
  {
    what: '市场监督管理局 requests · GET /api/v1/disclosure/queue?body=',
    url: (f) => `/api/v1/disclosure/queue?body=${f.cityAmr}`,
    shows: (body, f) => body.includes(f.request),
    expect: D_QUEUE,
  },
  {
    what: '市场监督管理局 requests · GET /workbench/disclosure?body= (page)',
    url: (f) => `/workbench/disclosure?body=${f.cityAmr}`,
    page: true,
    shows: (body, f) => body.includes(f.request),
    expect: D_QUEUE,
  },
  {
    // not on the public register: the requester did not agree
    what: 'register entry · GET /disclosure/register/:n',
    url: (f) => `/disclosure/register/${f.request}`,
    page: true,
    expect: drow('404'),
  },
  // ── 主动公开 ──
  {
    what: 'draft publication · GET /api/v1/disclosure/publications/:id',
    url: (f) => `/api/v1/disclosure/publications/${f.publication}`,
    expect: D_PUBLISHES,
  },
  {
    what: 'draft publication · GET /workbench/disclosure/publications/:id (page)',
    url: (f) => `/workbench/disclosure/publications/${f.publication}`,
    page: true,
    expect: D_PUBLISHES,
  },
  {
    what: 'draft publication · GET /disclosure/:id (public page)',
    url: (f) => `/disclosure/${f.publication}`,
    page: true,
    expect: drow('404'),
  },
  {
    // submitting is the department's: scope first, then the workflow (a draft may be submitted)
    what: 'draft publication · POST actions {publish}',
    method: 'POST',
    url: (f) => `/api/v1/disclosure/publications/${f.publication}/actions`,
    body: () => ({ action: 'publish' }),
    expect: drow('403', { anonymous: '401', discloser: '409', 'jinshui-discloser': '404', admin: '409' }),
  },
  {
    what: '市场监督管理局 worklist · GET /workbench/disclosure/publications?department= (page)',
    url: (f) => `/workbench/disclosure/publications?department=${f.cityAmr}`,
    page: true,
    shows: (body, f) => body.includes(f.publication),
    expect: drow('403', { anonymous: '401', discloser: '200+', admin: '200+' }),
  },
  {
    what: '市场监督管理局 review counts · POST /api/v1/disclosure/annual-report/review-counts',
    method: 'POST',
    url: () => '/api/v1/disclosure/annual-report/review-counts',
    body: (f) => {
      const z = { upheld: 0, corrected: 0, other: 0, pending: 0 };
      return { body: f.cityAmr, year: 2025, review: z, litigationDirect: z, litigationAfterReview: z };
    },
    expect: drow('403', { anonymous: '401', discloser: '204', admin: '204' }),
  },
  {
    // a posted request is entered by the body's staff only
    what: 'post request for 市场监督管理局 · POST /api/v1/disclosure/requests',
    method: 'POST',
    url: () => '/api/v1/disclosure/requests',
    body: (f) => ({
      body: f.cityAmr,
      channel: 'post',
      receivedOn: '2025-01-02',
      description: '某信息',
      requester: { kind: 'person', name: '王五' },
    }),
    expect: drow('403', { anonymous: '401', discloser: '201', admin: '201' }),
  },
];

describe('scopes fail closed › 依申请公开 requests: requester × body × staff', () => {
  let t: TongbanApp;
  let f: DFixtures;
  before(async () => {
    t = await buildTestApp({ demo: 'on', shipped: true });
    const dept = async (region: string, name: string) =>
      (
        (await t.app.inject({ url: `/api/v1/departments?region=${region}` })).json().departments as Array<{
          id: string;
          name: string;
        }>
      ).find((d) => d.name === name)?.id as string;
    const cityAmr = await dept('410100', '郑州市市场监督管理局');
    const jinshuiAmr = await dept('410105', '金水区市场监督管理局');
    await t.identity.service.createStaff({
      login: 'jinshui-discloser',
      name: '金水公开',
      password: DEMO_PASSWORD,
      regionCode: '410105',
      departmentId: jinshuiAmr,
      hallId: null,
      grants: [{ role: 'departmentAdmin', regionPrefix: '410105', departmentId: jinshuiAmr }],
    });
    const citizen = (await t.identity.tokenForLogin('citizen')).token;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/disclosure/requests',
      headers: { authorization: `Bearer ${citizen}` },
      payload: {
        body: cityAmr,
        description: '2024 年食品抽检结果',
        requester: { kind: 'person', name: '张三', phone: '13800000000' },
        attachments: [{ filename: 'scan.pdf', contentBase64: PDF.toString('base64') }],
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    const request = r.json().requestNumber as string;
    const v = (
      await t.app.inject({
        url: `/api/v1/disclosure/requests/${request}`,
        headers: { authorization: `Bearer ${citizen}` },
      })
    ).json();
    const discloser = (await t.identity.tokenForLogin('discloser')).token;
    const pub = await t.app.inject({
      method: 'POST',
      url: '/api/v1/disclosure/publications',
      headers: { authorization: `Bearer ${discloser}` },
      payload: {
        department: cityAmr,
        domain: '食品药品监管',
        category: '抽检信息',
        title: '食品抽检信息（草稿）',
        body: '草稿正文',
        madeOn: '2025-01-02',
      },
    });
    assert.equal(pub.statusCode, 201, pub.body);
    f = { request, publication: pub.json().id, file: v.actions[0].payload.attachments[0].sha256, cityAmr };
  });
  after(async () => t.close());

  test('every caller gets what the table says on every request route', async (c) => {
    const failures: string[] = [];
    const lines: string[] = [];
    for (const check of D_CHECKS) {
      const got: string[] = [];
      for (const caller of D_CALLERS) {
        const token = caller === 'anonymous' ? undefined : (await t.identity.tokenForLogin(caller)).token;
        const res = await t.app.inject({
          method: check.method ?? 'GET',
          url: check.url(f),
          headers: {
            accept: check.page ? 'text/html' : 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          ...(check.body ? { payload: check.body(f) } : {}),
        });
        const want = check.expect[caller];
        let cell = String(res.statusCode);
        if (want === '401' && res.statusCode === 303 && String(res.headers.location).startsWith('/login'))
          cell = '401';
        if (cell === '200' && check.shows) cell += check.shows(res.body, f) ? '+' : '-';
        got.push(cell === want ? cell : `${cell}≠${want}`);
        if (cell !== want) failures.push(`${check.what} as ${caller}: ${cell}, want ${want}`);
      }
      lines.push(
        `${pad(check.what, LABEL)} ${got.map((x, i) => x.padEnd(D_CALLERS[i]!.length + 1)).join(' ')}`,
      );
    }
    c.diagnostic(`${pad('', LABEL)} ${D_CALLERS.join('  ')}`);
    for (const l of lines) c.diagnostic(l);
    assert.deepEqual(failures, []);
  });
});
