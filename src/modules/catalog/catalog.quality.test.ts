import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { creditCodeCheckChar, isValidOrganizationCode } from '../../platform/codes/index.js';
import { governmentCreditCode, localRegions } from './catalog.regions.js';
import { buildDemoGuides, generateScaleGuides } from './catalog.demo.js';
import { QUALITY_RULES, type QualityRule, checkQuality } from './catalog.quality.js';
import { clone, permitGuide } from './catalog.testkit.js';
import { Guide } from './catalog.types.js';

const rulesOf = (g: Guide) => checkQuality(g).map((i) => i.rule);
function fails(g: Guide, rule: QualityRule, field?: string) {
  const issues = checkQuality(g);
  const hit = issues.find((i) => i.rule === rule);
  assert.ok(hit, `expected ${rule}, got ${issues.map((i) => i.rule).join(', ') || 'none'}`);
  if (field) assert.equal(hit.field, field);
  assert.ok(hit.fix.zh.length > 0 && hit.fix.en.length > 0, 'every failure says how to fix it, in zh and en');
}

describe('catalogue quality rules (DOMAIN.md §2)', () => {
  test('a complete 行政许可 guide passes every rule', () => {
    assert.deepEqual(rulesOf(permitGuide()), []);
  });

  test('即办件 ⇔ 即办 › an immediate item must promise 0 days', () => {
    const g = clone(permitGuide());
    g.handlingKind = 'immediate';
    fails(g, 'Q.IMMEDIATE_NEEDS_ZERO_LIMIT', 'promisedLimit.days');
  });

  test('即办件 ⇔ 即办 › a promise of 0 days makes an immediate item', () => {
    const g = clone(permitGuide());
    g.promisedLimit.days = 0;
    for (const s of g.steps) s.limit.days = 0;
    fails(g, 'Q.ZERO_LIMIT_NEEDS_IMMEDIATE', 'handlingKind');
  });

  test('promised ≤ statutory › a promise longer than the law allows fails', () => {
    const g = clone(permitGuide());
    g.promisedLimit.days = 25;
    fails(g, 'Q.PROMISED_WITHIN_STATUTORY', 'promisedLimit.days');
  });

  test('promised ≤ statutory › also per 情形', () => {
    const g = clone(permitGuide());
    g.situations[1]!.promisedLimit = { days: 30, unit: 'workingDay' };
    fails(g, 'Q.PROMISED_WITHIN_STATUTORY', 'situations.1.promisedLimit.days');
  });

  test('limits compare in one unit › working vs natural days fails', () => {
    const g = clone(permitGuide());
    g.promisedLimit.unit = 'naturalDay';
    fails(g, 'Q.LIMIT_UNITS_MATCH');
  });

  test('steps fit the promise › step limits adding up to more than the promise fail', () => {
    const g = clone(permitGuide());
    g.steps[1]!.limit.days = 30;
    fails(g, 'Q.STEPS_WITHIN_PROMISED', 'steps');
  });

  test('depth Ⅳ ⇒ 0 visits', () => {
    const g = clone(permitGuide());
    g.online.visits = 1;
    fails(g, 'Q.DEPTH4_ZERO_VISITS', 'online.visits');
  });

  test('depth Ⅲ ⇒ at most one visit', () => {
    const g = clone(permitGuide());
    g.online.depth = 3;
    g.online.visits = 2;
    fails(g, 'Q.DEPTH3_AT_MOST_ONE_VISIT');
  });

  test('depth Ⅰ–Ⅱ ⇒ at least one visit', () => {
    const g = clone(permitGuide());
    g.online.depth = 2;
    fails(g, 'Q.DEPTH_LOW_NEEDS_VISIT');
  });

  test('depth ≥ Ⅲ ⇒ online handling on', () => {
    const g = clone(permitGuide());
    g.handlingForms = ['window'];
    fails(g, 'Q.DEPTH_NEEDS_ONLINE', 'online.available');
  });

  test('0 visits and not online ⇒ postal delivery', () => {
    const g = clone(permitGuide());
    g.results[0]!.eLicence = false;
    g.results[0]!.licenceType = undefined;
    g.results[0]!.postalDelivery = false;
    fails(g, 'Q.NO_VISIT_DELIVERY', 'results.0.postalDelivery');
  });

  test('charged ⇒ fee items with standard and basis', () => {
    const g = clone(permitGuide());
    g.fees = { charged: true, items: [], onlinePayment: true, paymentMethods: ['online'] };
    fails(g, 'Q.FEE_DETAILS', 'fees.items');
  });

  test('charged ⇒ payment methods', () => {
    const g = clone(permitGuide());
    g.fees = {
      charged: true,
      items: [{ name: '工本费', standard: '10元', basis: '某文件' }],
      onlinePayment: false,
      paymentMethods: [],
    };
    fails(g, 'Q.FEE_PAYMENT', 'fees.paymentMethods');
  });

  test('free ⇒ no fee items', () => {
    const g = clone(permitGuide());
    g.fees = {
      charged: false,
      items: [{ name: '工本费', standard: '10元', basis: '某文件' }],
      onlinePayment: false,
      paymentMethods: [],
    };
    fails(g, 'Q.FREE_NO_FEE_ITEMS');
  });

  test('许可 ⇒ steps 受理, 审核, 审批, 办结, 送达', () => {
    const g = clone(permitGuide());
    g.steps = g.steps.filter((s) => s.name !== '送达');
    fails(g, 'Q.PERMIT_STEPS', 'steps');
  });

  test('许可 ⇒ at least one FAQ', () => {
    const g = clone(permitGuide());
    g.faq = [];
    fails(g, 'Q.PERMIT_FAQ', 'faq');
  });

  test('许可 ⇒ a result sample', () => {
    const g = clone(permitGuide());
    g.results[0]!.sample = undefined;
    fails(g, 'Q.PERMIT_RESULT_SAMPLE', 'results.0.sample');
  });

  test('every material has a source', () => {
    const g = clone(permitGuide());
    g.materials[0]!.source = undefined;
    fails(g, 'Q.MATERIAL_SOURCE', 'materials.0.source');
  });

  test('government-sourced materials name the e-licence or shared data', () => {
    const g = clone(permitGuide());
    const m = g.materials.find((x) => x.source === 'government')!;
    m.licenceType = undefined;
    m.sharedData = undefined;
    fails(g, 'Q.GOVERNMENT_MATERIAL_PROVIDER');
  });

  test('optional materials say when they are needed', () => {
    const g = clone(permitGuide());
    g.materials[0]!.necessity = 'optional';
    g.materials[0]!.requiredWhen = undefined;
    fails(g, 'Q.OPTIONAL_MATERIAL_WHEN', 'materials.0.requiredWhen');
  });

  test('material codes are unique (item and situations together)', () => {
    const g = clone(permitGuide());
    g.situations[1]!.materials[0]!.code = g.materials[0]!.code;
    fails(g, 'Q.MATERIAL_CODES_UNIQUE');
  });

  test('situation codes are unique', () => {
    const g = clone(permitGuide());
    g.situations[1]!.code = g.situations[0]!.code;
    fails(g, 'Q.SITUATION_CODES_UNIQUE');
  });

  test('依申请 items list at least one material', () => {
    const g = clone(permitGuide());
    g.materials = [];
    fails(g, 'Q.ON_APPLICATION_MATERIALS');
  });

  test('an e-licence result names its licence type', () => {
    const g = clone(permitGuide());
    g.results[0]!.licenceType = undefined;
    fails(g, 'Q.ELICENCE_TYPE');
  });

  test('appointments need a daily quota', () => {
    const g = clone(permitGuide({ depth: 3 }));
    g.appointment = { available: true, dailyQuota: 0 };
    fails(g, 'Q.APPOINTMENT_QUOTA');
  });

  test('a visit needs a hall', () => {
    const g = clone(permitGuide({ depth: 3 }));
    g.halls = [];
    fails(g, 'Q.HALL_FOR_VISITS', 'halls');
  });

  test('basic code starts with the item type', () => {
    const g = clone(permitGuide());
    g.type = '07';
    fails(g, 'Q.BASIC_CODE_TYPE', 'basicCode');
  });

  test('exercise level matches the region code', () => {
    const g = clone(permitGuide());
    g.exerciseLevel = 'county';
    fails(g, 'Q.LEVEL_REGION', 'exerciseLevel');
  });

  test('exercise level by the shape of the code › national sits at a province-level code, township at 9 digits', () => {
    const level = (exerciseLevel: Guide['exerciseLevel'], regionCode: string) => {
      const g = clone(permitGuide());
      g.exerciseLevel = exerciseLevel;
      g.regionCode = regionCode;
      return rulesOf(g).includes('Q.LEVEL_REGION');
    };
    assert.equal(level('national', '100000'), false);
    assert.equal(level('national', '410000'), false);
    assert.equal(level('national', '410100'), true);
    assert.equal(level('province', '410000'), false);
    assert.equal(level('city', '410100'), false);
    assert.equal(level('city', '410000'), true);
    assert.equal(level('county', '410105'), false);
    assert.equal(level('township', '410105001'), false);
    assert.equal(level('township', '410105'), true);
    assert.equal(level('village', '410105001001'), false);
  });

  test('form field names are unique', () => {
    const g = clone(permitGuide());
    g.form.fields.push({ ...g.form.fields[0]! });
    fails(g, 'Q.FORM_FIELDS_UNIQUE');
  });

  test('every rule has a test above, a zh and an en fix', () => {
    for (const [code, fix] of Object.entries(QUALITY_RULES)) {
      assert.match(code, /^Q\.[A-Z0-9_]+$/);
      assert.ok(fix.zh && fix.en, code);
    }
  });

  test('all failures are listed at once, not only the first', () => {
    const g = clone(permitGuide());
    g.faq = [];
    g.online.visits = 2;
    g.promisedLimit.days = 40;
    const rules = rulesOf(g);
    for (const r of ['Q.PERMIT_FAQ', 'Q.DEPTH4_ZERO_VISITS', 'Q.PROMISED_WITHIN_STATUTORY'])
      assert.ok(rules.includes(r), r);
  });
});

describe('catalogue demo content', () => {
  test('every demo guide parses with the schema and passes every quality rule', async () => {
    const r = localRegions();
    const { guides, skipped } = buildDemoGuides({
      departments: await r.listDepartments(),
      regions: await r.listRegions(),
      halls: await r.listHalls(),
    });
    assert.deepEqual(skipped, []);
    assert.ok(guides.length >= 300, `${guides.length} demo items`);
    const levels = new Set(guides.map((g) => g.exerciseLevel));
    for (const l of ['city', 'county', 'township', 'village']) assert.ok(levels.has(l as never), l);
    assert.equal(
      new Set(guides.filter((g) => g.exerciseLevel === 'city').map((g) => g.implementingBody.name)).size,
      62,
    );
    for (const g of guides) {
      const parsed = Guide.safeParse(g);
      assert.ok(parsed.success, `${g.name}: ${parsed.success ? '' : parsed.error.message}`);
      assert.deepEqual(checkQuality(g), [], g.name);
    }
  });

  test('the Zhengzhou-scale generator makes 3,498 power and 1,816 public-service items, all valid', async () => {
    const r = localRegions();
    let power = 0;
    let service = 0;
    const names = new Set<string>();
    for (const g of generateScaleGuides({
      departments: await r.listDepartments(),
      regions: await r.listRegions(),
      halls: await r.listHalls(),
    })) {
      if (g.type === '20') service++;
      else power++;
      names.add(`${g.implementingBody.departmentId}|${g.name}`);
      assert.deepEqual(checkQuality(g), [], g.name);
    }
    assert.equal(power, 3498);
    assert.equal(service, 1816);
    assert.equal(names.size, power + service);
  });
});

describe('demo credit codes (platform generateCreditCode)', () => {
  test('the demo departments keep their codes, with valid check characters', async () => {
    const depts = await localRegions().listDepartments();
    const code = (id: string) => depts.find((d) => d.id === id)?.creditCode;
    assert.equal(code('dept-410100-01'), '11410100410000011K');
    assert.equal(code('dept-410105-01'), '11410105410001006H');
    assert.equal(code('dept-410105001'), '11410105410005015C');
    assert.equal(code('dept-410122101205'), '5441012241001005XL');
    assert.equal(governmentCreditCode('410100', 26), '11410100410000265G');
    // both check characters (villages' 54 is outside the validator's strict category list)
    for (const { id, creditCode: c } of depts) {
      assert.equal(creditCodeCheckChar(c.slice(0, 17)), c[17], id);
      assert.ok(isValidOrganizationCode(c.slice(8, 17)), id);
    }
  });
});
