import { divisionLevel } from '../../platform/codes/index.js';
import { type Guide, ON_APPLICATION_TYPES, type QualityIssue, type TimeLimit } from './catalog.types.js';

/**
 * The quality rules of an implementation list (DOMAIN.md §2), pure and exhaustive: publishing
 * runs every rule and lists every failure (field, rule, how to fix), never only the first.
 * Rule codes are stable: tests, the import report and API clients rely on them.
 */
export const QUALITY_RULES = {
  'Q.IMMEDIATE_NEEDS_ZERO_LIMIT': {
    zh: '即办件的承诺办结时限应为“即办”（0 个工作日）；请把承诺时限改为 0，或把办件类型改为承诺件',
    en: 'An immediate (即办) item must promise 0 days; set the promised limit to 0 or make it a promised (承诺) item',
  },
  'Q.ZERO_LIMIT_NEEDS_IMMEDIATE': {
    zh: '承诺时限为“即办”（0）的事项应为即办件；请把办件类型改为即办件，或填写承诺天数',
    en: 'A promised limit of 0 (即办) means an immediate item; change the handling kind or give the promised days',
  },
  'Q.PROMISED_WITHIN_STATUTORY': {
    zh: '承诺办结时限不得超过法定办结时限；请缩短承诺时限或核对法定时限',
    en: 'The promised limit may not exceed the statutory limit; shorten it or check the statutory limit',
  },
  'Q.LIMIT_UNITS_MATCH': {
    zh: '承诺时限与法定时限应使用同一计量单位（工作日或自然日），以便比较',
    en: 'Promised and statutory limits must use the same unit (working or natural days) so they can be compared',
  },
  'Q.STEPS_WITHIN_PROMISED': {
    zh: '各环节时限之和不得超过承诺办结时限；请调整环节时限',
    en: 'The step limits may not add up to more than the promised limit; adjust the step limits',
  },
  'Q.DEPTH4_ZERO_VISITS': {
    zh: '网上办理深度为Ⅳ级（全程网办）的事项到办事现场次数应为 0',
    en: 'A depth Ⅳ (fully online) item must need 0 visits',
  },
  'Q.DEPTH3_AT_MOST_ONE_VISIT': {
    zh: '网上办理深度为Ⅲ级（在线申办）的事项到办事现场次数不得超过 1 次',
    en: 'A depth Ⅲ (apply online) item may need at most 1 visit',
  },
  'Q.DEPTH_LOW_NEEDS_VISIT': {
    zh: '网上办理深度为Ⅰ、Ⅱ级的事项须到现场办理，到办事现场次数至少为 1；如已可网上申办，请提高办理深度',
    en: 'Depth Ⅰ–Ⅱ items are finished in the hall: visits must be at least 1, or raise the depth if it can be applied for online',
  },
  'Q.DEPTH_NEEDS_ONLINE': {
    zh: '网上办理深度Ⅲ级及以上的事项须开通网上办理，并在办理形式中包含“网上办理”',
    en: 'Depth Ⅲ and above needs online handling switched on and "online" among the handling forms',
  },
  'Q.NO_VISIT_DELIVERY': {
    zh: '零跑动事项的办理结果须以电子证照送达或邮寄送达；请为每项结果勾选电子证照或邮寄送达',
    en: 'With 0 visits every result must be delivered as an e-licence or by post; tick one for each result',
  },
  'Q.FEE_DETAILS': {
    zh: '收费事项须填写收费项目、收费标准和收费依据',
    en: 'A charged item needs its fee items, standards and legal basis',
  },
  'Q.FEE_PAYMENT': {
    zh: '收费事项须填写缴费方式（网上缴费、窗口缴费或银行代收）',
    en: 'A charged item needs its payment methods (online, window or bank)',
  },
  'Q.FREE_NO_FEE_ITEMS': {
    zh: '不收费事项不应列出收费项目；请删除收费项目或改为收费',
    en: 'A free item should list no fee items; remove them or mark the item as charged',
  },
  'Q.PERMIT_STEPS': {
    zh: '行政许可事项至少应包含受理、审核、审批、办结、送达五个环节',
    en: 'An administrative licensing (许可) item needs at least the steps 受理, 审核, 审批, 办结 and 送达',
  },
  'Q.PERMIT_FAQ': {
    zh: '行政许可事项至少应有一条常见问题解答',
    en: 'An administrative licensing item needs at least one FAQ',
  },
  'Q.PERMIT_RESULT_SAMPLE': {
    zh: '行政许可事项的每项办理结果都应提供结果样本',
    en: 'Every result of an administrative licensing item needs a sample',
  },
  'Q.MATERIAL_SOURCE': {
    zh: '每项材料都须注明来源渠道（申请人自备或政府部门核发）',
    en: 'Every material needs its source (the applicant or a government body)',
  },
  'Q.GOVERNMENT_MATERIAL_PROVIDER': {
    zh: '政府部门核发的材料须注明由哪类电子证照或哪项共享数据提供，申请人免于提交',
    en: 'A government-issued material must name the e-licence type or shared data that provides it, so the applicant need not bring it',
  },
  'Q.OPTIONAL_MATERIAL_WHEN': {
    zh: '非必要材料须说明在何种情况下需要提交',
    en: 'An optional material must say when it is needed',
  },
  'Q.MATERIAL_CODES_UNIQUE': {
    zh: '同一事项内材料编码不得重复',
    en: 'Material codes must be unique within the item',
  },
  'Q.SITUATION_CODES_UNIQUE': {
    zh: '同一事项内情形编码不得重复',
    en: 'Situation codes must be unique within the item',
  },
  'Q.ON_APPLICATION_MATERIALS': {
    zh: '依申请事项至少应列出一项申请材料',
    en: 'An item applied for needs at least one material',
  },
  'Q.ELICENCE_TYPE': {
    zh: '出具电子证照的办理结果须注明证照类型',
    en: 'A result issued as an e-licence must name the licence type',
  },
  'Q.APPOINTMENT_QUOTA': {
    zh: '开通预约的事项须设置每日预约号源数（大于 0）',
    en: 'An item that takes appointments needs a daily quota above 0',
  },
  'Q.HALL_FOR_VISITS': {
    zh: '需到现场办理的事项须至少列出一个办理地点（大厅、地址、办公时间）',
    en: 'An item needing a visit must list at least one hall (name, address, hours)',
  },
  'Q.BASIC_CODE_TYPE': {
    zh: '基本编码前两位须与事项类型一致',
    en: 'The first two digits of the basic code must be the item type',
  },
  'Q.LEVEL_REGION': {
    zh: '行使层级须与区划代码一致（市级 6 位且以 00 结尾，县级 6 位，乡级 9 位，村级 12 位）',
    en: 'The exercise level must match the region code (city: 6 digits ending 00; county: 6; township: 9; village: 12)',
  },
  'Q.FORM_FIELDS_UNIQUE': {
    zh: '申请表单字段名不得重复',
    en: 'Form field names must be unique',
  },
} as const satisfies Record<string, { zh: string; en: string }>;

export type QualityRule = keyof typeof QUALITY_RULES;

const PERMIT_STEPS = ['受理', '审核', '审批', '办结', '送达'] as const;

function issue(field: string, rule: QualityRule): QualityIssue {
  return { field, rule, fix: QUALITY_RULES[rule] };
}

function limitsComparable(a: TimeLimit, b: TimeLimit): boolean {
  return a.unit === b.unit;
}

/** National items sit at a province-level code (100000 or a province's); the rest at their own level. */
function levelMatchesRegion(level: Guide['exerciseLevel'], code: string): boolean {
  return divisionLevel(code) === (level === 'national' ? 'province' : level);
}

function dupes(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) out.add(v);
    seen.add(v);
  }
  return [...out];
}

/** Runs every rule; returns every failure (empty: the guide may be published). */
export function checkQuality(g: Guide): QualityIssue[] {
  const out: QualityIssue[] = [];
  const promised = g.promisedLimit;
  const statutory = g.statutoryLimit;

  // 即办件 ⇔ 承诺时限 即办
  if (g.handlingKind === 'immediate' && promised.days !== 0)
    out.push(issue('promisedLimit.days', 'Q.IMMEDIATE_NEEDS_ZERO_LIMIT'));
  if (g.handlingKind === 'promised' && promised.days === 0)
    out.push(issue('handlingKind', 'Q.ZERO_LIMIT_NEEDS_IMMEDIATE'));

  if (!limitsComparable(promised, statutory)) out.push(issue('promisedLimit.unit', 'Q.LIMIT_UNITS_MATCH'));
  else if (promised.days > statutory.days)
    out.push(issue('promisedLimit.days', 'Q.PROMISED_WITHIN_STATUTORY'));
  g.situations.forEach((s, i) => {
    const p = s.promisedLimit ?? promised;
    const st = s.statutoryLimit ?? statutory;
    if (!limitsComparable(p, st))
      out.push(issue(`situations.${i}.promisedLimit.unit`, 'Q.LIMIT_UNITS_MATCH'));
    else if (p.days > st.days)
      out.push(issue(`situations.${i}.promisedLimit.days`, 'Q.PROMISED_WITHIN_STATUTORY'));
  });

  const stepDays = g.steps.reduce((n, s) => n + (s.limit.unit === promised.unit ? s.limit.days : 0), 0);
  if (stepDays > promised.days) out.push(issue('steps', 'Q.STEPS_WITHIN_PROMISED'));

  // depth and visits
  const { depth, visits } = g.online;
  if (depth === 4 && visits !== 0) out.push(issue('online.visits', 'Q.DEPTH4_ZERO_VISITS'));
  if (depth === 3 && visits > 1) out.push(issue('online.visits', 'Q.DEPTH3_AT_MOST_ONE_VISIT'));
  if (depth <= 2 && visits < 1) out.push(issue('online.visits', 'Q.DEPTH_LOW_NEEDS_VISIT'));
  if (depth >= 3 && (!g.online.available || !g.handlingForms.includes('online'))) {
    out.push(issue('online.available', 'Q.DEPTH_NEEDS_ONLINE'));
  }
  // 0 visits and not delivered online ⇒ by post
  if (visits === 0) {
    g.results.forEach((r, i) => {
      if (!r.eLicence && !r.postalDelivery)
        out.push(issue(`results.${i}.postalDelivery`, 'Q.NO_VISIT_DELIVERY'));
    });
  }
  if (visits > 0 && g.halls.length === 0) out.push(issue('halls', 'Q.HALL_FOR_VISITS'));

  // fees
  if (g.fees.charged) {
    if (g.fees.items.length === 0) out.push(issue('fees.items', 'Q.FEE_DETAILS'));
    if (g.fees.paymentMethods.length === 0) out.push(issue('fees.paymentMethods', 'Q.FEE_PAYMENT'));
  } else if (g.fees.items.length > 0) out.push(issue('fees.items', 'Q.FREE_NO_FEE_ITEMS'));

  // 行政许可
  if (g.type === '01') {
    const names = new Set(g.steps.map((s) => s.name));
    if (PERMIT_STEPS.some((s) => !names.has(s))) out.push(issue('steps', 'Q.PERMIT_STEPS'));
    if (g.faq.length === 0) out.push(issue('faq', 'Q.PERMIT_FAQ'));
    g.results.forEach((r, i) => {
      if (!r.sample) out.push(issue(`results.${i}.sample`, 'Q.PERMIT_RESULT_SAMPLE'));
    });
  }

  // materials (the item's and each situation's)
  const checkMaterials = (ms: Guide['materials'], prefix: string) => {
    ms.forEach((m, i) => {
      const f = `${prefix}.${i}`;
      if (!m.source) out.push(issue(`${f}.source`, 'Q.MATERIAL_SOURCE'));
      else if (m.source === 'government' && !m.licenceType && !m.sharedData) {
        out.push(issue(`${f}.licenceType`, 'Q.GOVERNMENT_MATERIAL_PROVIDER'));
      }
      if (m.necessity === 'optional' && !m.requiredWhen)
        out.push(issue(`${f}.requiredWhen`, 'Q.OPTIONAL_MATERIAL_WHEN'));
    });
  };
  checkMaterials(g.materials, 'materials');
  for (const [i, s] of g.situations.entries()) checkMaterials(s.materials, `situations.${i}.materials`);
  const allMaterialCodes = [...g.materials, ...g.situations.flatMap((s) => s.materials)].map((m) => m.code);
  // a situation may repeat one of the item's own materials only by adding new ones: codes stay unique
  if (dupes(allMaterialCodes).length > 0) out.push(issue('materials', 'Q.MATERIAL_CODES_UNIQUE'));
  if (dupes(g.situations.map((s) => s.code)).length > 0)
    out.push(issue('situations', 'Q.SITUATION_CODES_UNIQUE'));
  if (ON_APPLICATION_TYPES.includes(g.type) && g.materials.length === 0) {
    out.push(issue('materials', 'Q.ON_APPLICATION_MATERIALS'));
  }

  g.results.forEach((r, i) => {
    if (r.eLicence && !r.licenceType) out.push(issue(`results.${i}.licenceType`, 'Q.ELICENCE_TYPE'));
  });
  if (g.appointment.available && g.appointment.dailyQuota <= 0)
    out.push(issue('appointment.dailyQuota', 'Q.APPOINTMENT_QUOTA'));
  if (g.basicCode.slice(0, 2) !== g.type) out.push(issue('basicCode', 'Q.BASIC_CODE_TYPE'));
  if (!levelMatchesRegion(g.exerciseLevel, g.regionCode)) out.push(issue('exerciseLevel', 'Q.LEVEL_REGION'));
  if (dupes(g.form.fields.map((f) => f.name)).length > 0)
    out.push(issue('form.fields', 'Q.FORM_FIELDS_UNIQUE'));
  return out;
}
