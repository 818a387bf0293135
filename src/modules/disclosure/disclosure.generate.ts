import { pick, seededRandom } from '../../kernel/index.js';
import {
  CONVENIENCE_CLASSES,
  DISCLOSURE_DOMAINS,
  type ConvenienceClass,
  type DisclosureDomain,
} from './disclosure.types.js';

/**
 * A deterministic generator of Zhengzhou-scale open-government information (政府信息公开) and
 * convenience information (便民服务信息): real department, district and road names combined with
 * topic templates, so the text is realistic enough to search and to rank. The same seed gives
 * the same text.
 */

export const ZHENGZHOU_INFORMATION_ITEMS = 73_139;
export const ZHENGZHOU_CONVENIENCE_ITEMS = 20_004;

export interface GeneratedPublication {
  regionCode: string;
  department: string;
  domain: DisclosureDomain;
  category: string;
  title: string;
  body: string;
  docNumber: string | null;
  publishedOn: string;
}

export interface GeneratedConvenience {
  regionCode: string;
  class: ConvenienceClass;
  name: string;
  address: string;
  phone: string;
  hours: string;
  description: string;
  /** set when the place is known (the hand-written demo entries); the seed places the others */
  lat?: number | null;
  lng?: number | null;
}

/** Zhengzhou 410100 and its county-level units (GB/T 2260), with the three functional zones. */
export const ZHENGZHOU_REGIONS: ReadonlyArray<{ code: string; name: string }> = [
  { code: '410100', name: '郑州市' },
  { code: '410102', name: '中原区' },
  { code: '410103', name: '二七区' },
  { code: '410104', name: '管城回族区' },
  { code: '410105', name: '金水区' },
  { code: '410106', name: '上街区' },
  { code: '410108', name: '惠济区' },
  { code: '410122', name: '中牟县' },
  { code: '410181', name: '巩义市' },
  { code: '410182', name: '荥阳市' },
  { code: '410183', name: '新密市' },
  { code: '410184', name: '新郑市' },
  { code: '410185', name: '登封市' },
  { code: '410171', name: '郑州航空港经济综合实验区' },
  { code: '410172', name: '郑州高新技术产业开发区' },
  { code: '410173', name: '郑州经济技术开发区' },
];

const ROADS = [
  '花园路',
  '金水路',
  '中原路',
  '建设路',
  '农业路',
  '文化路',
  '经三路',
  '纬五路',
  '大学路',
  '嵩山路',
  '桐柏路',
  '伏牛路',
  '陇海路',
  '航海路',
  '紫荆山路',
  '人民路',
  '二七路',
  '解放路',
  '黄河路',
  '东风路',
  '北环路',
  '南三环',
  '商都路',
  '郑汴路',
  '中州大道',
  '京广路',
  '长江路',
  '淮河路',
  '科学大道',
  '须水路',
  '电厂路',
  '商鼎路',
  '龙湖中环路',
  '中兴路',
  '玉凤路',
  '丰产路',
];

const AREAS = [
  '东区',
  '西区',
  '北区',
  '南区',
  '新城',
  '老城',
  '滨河',
  '龙湖',
  '如意湖',
  '绿博',
  '高铁站片区',
  '北龙湖',
];

interface DomainSpec {
  depts: readonly string[];
  topics: readonly string[];
  things: readonly string[];
}

const DOMAINS: Record<DisclosureDomain, DomainSpec> = {
  财政预决算: {
    depts: ['财政局', '审计局'],
    topics: ['部门预算', '部门决算', '三公经费', '政府债务', '专项资金'],
    things: ['公开说明', '执行情况', '绩效评价报告'],
  },
  重大建设项目: {
    depts: ['发展和改革委员会', '城乡建设局'],
    topics: ['地铁建设', '快速路工程', '城市更新项目', '水系连通工程', '综合管廊'],
    things: ['批准文件', '施工进展', '竣工验收情况'],
  },
  公共资源交易: {
    depts: ['发展和改革委员会', '财政局'],
    topics: ['政府采购', '工程招标', '土地出让', '产权交易', '药品集中采购'],
    things: ['中标结果公告', '招标公告', '成交公示'],
  },
  社会救助: {
    depts: ['民政局', '退役军人事务局'],
    topics: ['最低生活保障', '特困人员供养', '临时救助', '医疗救助', '困难群众救助'],
    things: ['对象名单', '资金发放情况', '标准调整'],
  },
  教育: {
    depts: ['教育局'],
    topics: ['义务教育招生入学', '学前教育', '中考招生', '学生资助', '民办学校年检'],
    things: ['实施方案', '工作通知', '结果公示'],
  },
  医疗卫生: {
    depts: ['卫生健康委员会', '医疗保障局'],
    topics: ['基本公共卫生服务', '家庭医生签约', '预防接种', '医疗机构执业登记', '城乡居民基本医疗保险'],
    things: ['工作方案', '考核结果', '机构名单'],
  },
  食品药品监管: {
    depts: ['市场监督管理局'],
    topics: ['食品安全抽检', '食品经营许可', '药品零售企业检查', '餐饮服务食品安全', '校园食品安全'],
    things: ['抽检信息', '监督检查结果', '行政处罚信息'],
  },
  环境保护: {
    depts: ['生态环境局'],
    topics: ['大气污染防治', '水污染防治', '建设项目环境影响评价', '排污许可', '重污染天气应急'],
    things: ['审批公示', '监测信息', '执法情况'],
  },
  安全生产: {
    depts: ['应急管理局'],
    topics: ['安全生产专项整治', '危险化学品', '消防安全检查', '防汛应急', '地震应急演练'],
    things: ['检查情况通报', '工作方案', '事故调查报告'],
  },
  住房保障: {
    depts: ['住房保障和房地产管理局', '住房公积金管理中心'],
    topics: ['公共租赁住房', '保障性租赁住房', '人才公寓', '棚户区改造', '住房公积金'],
    things: ['配租结果', '申请审核名单', '政策解读'],
  },
  国有土地上房屋征收: {
    depts: ['住房保障和房地产管理局', '自然资源和规划局'],
    topics: ['房屋征收决定', '征收补偿方案', '评估机构选定', '旧城改造'],
    things: ['公告', '补偿结果', '社会稳定风险评估'],
  },
  城乡规划: {
    depts: ['自然资源和规划局'],
    topics: ['国土空间规划', '控制性详细规划', '建设工程规划许可', '建设用地规划许可', '历史文化街区保护'],
    things: ['批前公示', '批后公布', '规划调整'],
  },
  就业创业: {
    depts: ['人力资源和社会保障局'],
    topics: ['就业见习', '创业担保贷款', '职业技能培训', '高校毕业生就业', '灵活就业社会保险补贴'],
    things: ['补贴名单', '培训计划', '政策通知'],
  },
  社会保险: {
    depts: ['人力资源和社会保障局', '医疗保障局'],
    topics: ['城乡居民基本养老保险', '职工基本养老保险', '失业保险', '工伤保险', '社会保障卡'],
    things: ['待遇调整', '缴费基数', '经办指南'],
  },
  户籍管理: {
    depts: ['公安局'],
    topics: ['户口迁移', '居住证', '居民身份证办理', '出生登记', '人才落户'],
    things: ['办事指南', '政策解读', '便民措施'],
  },
  涉农补贴: {
    depts: ['农业农村局', '财政局'],
    topics: ['耕地地力保护补贴', '农机购置补贴', '种粮农民一次性补贴', '高标准农田建设'],
    things: ['发放名单', '资金分配', '实施方案'],
  },
  市政服务: {
    depts: ['城市管理局', '城乡建设局'],
    topics: ['供水', '供暖', '燃气', '道路维修', '垃圾分类', '老旧小区改造'],
    things: ['停水通知', '施工公告', '收费标准'],
  },
  交通运输: {
    depts: ['交通运输局'],
    topics: ['公交线路调整', '道路运输许可', '网约车管理', '出租汽车', '农村公路'],
    things: ['调整公告', '许可信息', '服务质量考核'],
  },
  文化旅游: {
    depts: ['文化广电和旅游局', '体育局'],
    topics: ['文物保护', '公共文化服务', '旅游景区质量等级', '全民健身', '非物质文化遗产'],
    things: ['名录公示', '活动安排', '评定结果'],
  },
  乡村振兴: {
    depts: ['农业农村局'],
    topics: ['防止返贫监测', '乡村建设', '产业扶持项目', '人居环境整治'],
    things: ['项目库公示', '资金使用情况', '工作总结'],
  },
  行政执法: {
    depts: ['市场监督管理局', '城市管理局', '生态环境局'],
    topics: ['行政处罚', '双随机一公开', '行政检查', '信用修复'],
    things: ['结果公示', '抽查计划', '执法统计年报'],
  },
  人事信息: {
    depts: ['人民政府办公室', '人力资源和社会保障局'],
    topics: ['公务员招录', '事业单位公开招聘', '干部任免', '人才引进'],
    things: ['公告', '拟聘用人员名单', '体检结果'],
  },
};

const CATEGORIES = ['政策文件', '通知公告', '规划计划', '统计信息', '公示公告', '政策解读', '工作动态'];

const TITLE_TEMPLATES: ReadonlyArray<(p: Record<string, string>) => string> = [
  (p) => `${p.org}关于${p.year}年${p.topic}工作的通知`,
  (p) => `${p.org}关于印发《${p.year}年${p.topic}实施方案》的通知`,
  (p) => `${p.org}${p.year}年${p.topic}${p.thing}`,
  (p) => `关于${p.area}${p.road}片区${p.topic}的${p.thing}`,
  (p) => `${p.org}关于${p.year}年第${p.n}批${p.topic}${p.thing}`,
  (p) => `${p.year}年${p.unit}${p.topic}${p.thing}`,
  (p) => `《${p.unit}${p.topic}管理办法》政策解读`,
];

const BODY_TEMPLATES: ReadonlyArray<(p: Record<string, string>) => string> = [
  (p) =>
    `为做好${p.unit}${p.topic}工作，根据有关法律法规和上级部署，结合我${p.short}实际，现将有关事项通知如下。`,
  (p) => `${p.year}年${p.month}月，${p.org}组织开展${p.topic}，覆盖${p.road}、${p.road2}等${p.n}个片区。`,
  (p) => `请各乡镇（街道）、各有关单位认真组织实施，于${p.year}年${p.month}月底前将落实情况报送${p.org}。`,
  (p) => `公示期为${p.days}个工作日，如有异议，请在公示期内向${p.org}反映，联系电话0371-${p.phone}。`,
  (p) => `群众可通过一网通办平台或到${p.unit}政务服务中心窗口办理，也可拨打12345政务服务便民热线咨询。`,
  (p) => `本次${p.topic}共涉及${p.n}${p.measure}，资金${p.money}万元，已全部按规定程序拨付到位。`,
  (p) => `下一步，${p.org}将持续推进${p.topic}，不断提升群众的获得感、幸福感、安全感。`,
];

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

/** Generates `count` publications across the 22 domains and the county-level units. */
export function* generatePublications(count: number, seed = 20_161): Generator<GeneratedPublication> {
  const r = seededRandom(seed);
  const domains = DISCLOSURE_DOMAINS;
  for (let i = 0; i < count; i++) {
    const domain = domains[i % domains.length] as DisclosureDomain;
    const spec = DOMAINS[domain];
    const region =
      r() < 0.35 ? (ZHENGZHOU_REGIONS[0] as { code: string; name: string }) : pick(r, ZHENGZHOU_REGIONS);
    const unit = region.name;
    const dept = pick(r, spec.depts);
    const org = `${unit}${dept}`;
    const year = String(2016 + Math.floor(r() * 9));
    const month = String(1 + Math.floor(r() * 12));
    const p: Record<string, string> = {
      org,
      unit,
      short: region.code === '410100' ? '市' : unit.endsWith('县') ? '县' : '区',
      year,
      month,
      topic: pick(r, spec.topics),
      thing: pick(r, spec.things),
      area: pick(r, AREAS),
      road: pick(r, ROADS),
      road2: pick(r, ROADS),
      n: String(2 + Math.floor(r() * 40)),
      days: String(pick(r, [5, 7, 10, 15])),
      phone: `6${pad(Math.floor(r() * 10_000_000), 7)}`,
      measure: pick(r, ['户', '个项目', '所学校', '家单位', '人']),
      money: String(10 + Math.floor(r() * 9990)),
    };
    const title = pick(r, TITLE_TEMPLATES)(p);
    const sentences = 2 + Math.floor(r() * 3);
    const start = Math.floor(r() * BODY_TEMPLATES.length);
    let body = '';
    for (let s = 0; s < sentences; s++)
      body += (BODY_TEMPLATES[(start + s) % BODY_TEMPLATES.length] as (p: Record<string, string>) => string)(
        p,
      );
    const day = pad(1 + Math.floor(r() * 28), 2);
    yield {
      regionCode: region.code,
      department: org,
      domain,
      category: pick(r, CATEGORIES),
      title,
      body,
      docNumber: r() < 0.4 ? `郑${dept.slice(0, 2)}〔${year}〕${1 + Math.floor(r() * 180)}号` : null,
      publishedOn: `${year}-${pad(Number(month), 2)}-${day}`,
    };
  }
}

interface ClassSpec {
  names: ReadonlyArray<(p: Record<string, string>, r: () => number) => string>;
  hours: readonly string[];
  about: ReadonlyArray<(p: Record<string, string>) => string>;
}

const HOSPITALS = [
  '郑州大学第一附属医院',
  '河南省人民医院',
  '郑州市中心医院',
  '郑州人民医院',
  '郑州市第一人民医院',
  '河南省儿童医院',
  '郑州市妇幼保健院',
  '郑州市中医院',
];
const PHARMACIES = ['张仲景大药房', '老百姓大药房', '大参林药店', '健康人大药房', '国药控股大药房'];
const BANKS = [
  '中国工商银行',
  '中国农业银行',
  '中国银行',
  '中国建设银行',
  '交通银行',
  '郑州银行',
  '中原银行',
  '中国邮政储蓄银行',
];

const CLASSES: Record<ConvenienceClass, ClassSpec> = {
  医院: {
    names: [
      (p, r) => `${pick(r, HOSPITALS)}${p.road}院区`,
      (p) => `${p.unit}人民医院`,
      (p) => `${p.unit}${p.road}社区卫生服务中心`,
    ],
    hours: ['门诊 8:00-12:00 14:30-17:30，急诊24小时'],
    about: [
      (p) =>
        `提供内科、外科、妇产科、儿科门诊及急诊服务，支持医保卡和电子医保凭证结算，${p.road}公交站步行约${p.n}分钟。`,
    ],
  },
  学校: {
    names: [
      (p) => `郑州市第${p.n}中学`,
      (p) => `${p.unit}${p.road}小学`,
      (p) => `${p.unit}${p.area}实验学校`,
    ],
    hours: ['工作日 8:00-17:30'],
    about: [
      (p) =>
        `公办学校，划片招生范围包括${p.road}以东、${p.road2}以北的住宅小区，新生入学报名通过义务教育招生入学服务平台办理。`,
    ],
  },
  幼儿园: {
    names: [(p) => `${p.unit}${p.road}幼儿园`, (p) => `郑州市${p.area}第${p.n}幼儿园`],
    hours: ['工作日 7:30-17:30'],
    about: [(p) => `普惠性幼儿园，设小班、中班、大班共${p.n}个班，招收3至6周岁幼儿。`],
  },
  药店: {
    names: [(p, r) => `${pick(r, PHARMACIES)}（${p.road}店）`],
    hours: ['8:00-22:00', '24小时营业'],
    about: [() => '医保定点零售药店，可使用社会保障卡和医保电子凭证购药，提供处方药和非处方药。'],
  },
  公交线路: {
    names: [(p) => `郑州公交${p.n}路`, (p) => `郑州公交B${p.n}路`, (p) => `郑州公交Y${p.n}路`],
    hours: ['首班6:00，末班22:00'],
    about: [
      (p) =>
        `途经${p.road}、${p.road2}、${p.road3}，起点${p.area}公交枢纽站，终点${p.unit}${p.road2}站，票价1元。`,
    ],
  },
  停车场: {
    names: [(p) => `${p.road}与${p.road2}交叉口公共停车场`, (p) => `${p.unit}${p.area}地下停车场`],
    hours: ['24小时'],
    about: [(p) => `共有车位${p.n}0个，其中充电车位${p.n}个，首小时5元，之后每小时2元，支持无感支付。`],
  },
  加油站: {
    names: [(p) => `中国石化${p.road}加油站`, (p) => `中国石油${p.unit}${p.road}加油站`],
    hours: ['24小时'],
    about: [() => '提供92号、95号、98号汽油和0号柴油，设便利店和洗车服务。'],
  },
  充电站: {
    names: [(p) => `${p.road}新能源汽车充电站`, (p) => `${p.unit}${p.area}公共充电站`],
    hours: ['24小时'],
    about: [(p) => `设直流快充桩${p.n}个，支持主流新能源车型，可通过手机应用扫码充电。`],
  },
  银行网点: {
    names: [(p, r) => `${pick(r, BANKS)}郑州${p.road}支行`],
    hours: ['工作日 9:00-17:00，周末 9:30-16:00'],
    about: [
      () => '办理个人存取款、社会保障卡激活、住房公积金贷款、企业开户等业务，网点内设政务服务自助终端。',
    ],
  },
  便民服务中心: {
    names: [(p) => `${p.unit}${p.road}街道便民服务中心`, (p) => `${p.unit}${p.area}镇便民服务中心`],
    hours: ['工作日 9:00-12:00 13:00-17:00，周六上午延时服务'],
    about: [() => '可办理社保、医保、民政、计生、残联等高频事项，提供帮办代办服务和24小时自助服务区。'],
  },
  社区服务站: {
    names: [(p) => `${p.road}社区党群服务中心`, (p) => `${p.unit}${p.area}社区服务站`],
    hours: ['工作日 8:30-18:00'],
    about: [() => '提供居住证申领受理、老年人优待证、就业登记、城乡居民医保参保等就近办服务。'],
  },
  养老机构: {
    names: [(p) => `${p.unit}${p.area}颐养中心`, (p) => `郑州市${p.road}社区养老服务中心`],
    hours: ['全天'],
    about: [(p) => `设养老床位${p.n}0张，提供日间照料、助餐、康复护理和上门服务。`],
  },
  景区: {
    names: [
      (_p, r) =>
        pick(r, [
          '嵩山少林寺景区',
          '黄河风景名胜区',
          '郑州绿博园',
          '郑州植物园',
          '二七纪念塔',
          '郑州方特欢乐世界',
          '中岳庙',
          '康百万庄园',
          '郑州动物园',
          '郑州市紫荆山公园',
        ]),
    ],
    hours: ['8:00-18:00'],
    about: [(p) => `国家级旅游景区，位于${p.unit}，可乘坐${p.n}路公交到达，节假日请提前网上预约。`],
  },
  图书馆: {
    names: [(p) => `郑州图书馆${p.area}分馆`, (p) => `${p.unit}图书馆`, (p) => `${p.road}城市书房`],
    hours: ['周二至周日 9:00-21:00'],
    about: [() => '免费开放，凭居民身份证或社会保障卡办理读者证，提供借阅、自习和数字阅读服务。'],
  },
  体育场馆: {
    names: [(p) => `${p.unit}全民健身中心`, (p) => `郑州市${p.road}体育公园`, () => '郑州奥林匹克体育中心'],
    hours: ['6:00-22:00'],
    about: [
      (p) => `设篮球场、羽毛球馆、游泳池和健身步道，部分时段免费或低收费开放，场地可提前${p.n}天预约。`,
    ],
  },
};

/** Generates `count` convenience entries across the 15 classes. */
export function* generateConvenience(count: number, seed = 2_016_001): Generator<GeneratedConvenience> {
  const r = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const cls = CONVENIENCE_CLASSES[i % CONVENIENCE_CLASSES.length] as ConvenienceClass;
    const spec = CLASSES[cls];
    const region = pick(r, ZHENGZHOU_REGIONS.slice(1));
    const p: Record<string, string> = {
      unit: region.name,
      road: pick(r, ROADS),
      road2: pick(r, ROADS),
      road3: pick(r, ROADS),
      area: pick(r, AREAS),
      n: String(1 + Math.floor(r() * 120)),
    };
    const name = pick(r, spec.names)(p, r);
    yield {
      regionCode: region.code,
      class: cls,
      name,
      address: `郑州市${region.name}${p.road}${1 + Math.floor(r() * 300)}号`,
      phone: `0371-6${pad(Math.floor(r() * 10_000_000), 7)}`,
      hours: pick(r, spec.hours),
      description: pick(r, spec.about)(p),
    };
  }
}
