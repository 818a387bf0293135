import type { Guide, NegativeListEdition, NegativeListEntry } from './catalog.types.js';

/**
 * The demo city's market-access negative list: two editions abridged from the national
 * 《市场准入负面清单》 (the six 禁止准入 measures and some 许可准入 ones, worded as the list words
 * them), marked demo. A 许可准入 measure names the items that grant its permission by a pattern
 * over the catalogue's item names; the seed resolves it to their 基本编码.
 */
interface DemoMeasure extends Omit<NegativeListEntry, 'basicCodes'> {
  grantedBy?: RegExp;
  editions: ReadonlyArray<'2022' | '2025'>;
}

const BOTH = ['2022', '2025'] as const;

const MEASURES: readonly DemoMeasure[] = [
  {
    code: 'J-01',
    category: 'prohibited',
    measure: '法律、法规、国务院决定等明确设立且与市场准入相关的禁止性规定',
    basis: '法律、行政法规和国务院决定',
    editions: BOTH,
  },
  {
    code: 'J-02',
    category: 'prohibited',
    measure: '国家产业政策明令淘汰和限制的产品、技术、工艺、设备及行为',
    basis: '《产业结构调整指导目录》',
    editions: BOTH,
  },
  {
    code: 'J-03',
    category: 'prohibited',
    measure: '不符合主体功能区建设要求的各类开发活动',
    basis: '《全国主体功能区规划》',
    editions: BOTH,
  },
  {
    code: 'J-04',
    category: 'prohibited',
    measure: '禁止违规开展金融相关经营活动',
    basis: '《中华人民共和国商业银行法》《防范和处置非法集资条例》',
    editions: BOTH,
  },
  {
    code: 'J-05',
    category: 'prohibited',
    measure: '禁止违规开展互联网相关经营活动',
    basis: '《互联网信息服务管理办法》',
    editions: BOTH,
  },
  {
    code: 'J-06',
    category: 'prohibited',
    measure: '禁止违规开展新闻传媒相关业务',
    basis: '《出版管理条例》《广播电视管理条例》',
    editions: BOTH,
  },
  {
    code: 'X-FOOD',
    category: 'permitted',
    measure: '未获得许可，不得从事食品生产经营',
    basis: '《中华人民共和国食品安全法》第三十五条',
    grantedBy: /食品经营许可|食品生产许可|清真食品准营/,
    editions: BOTH,
  },
  {
    code: 'X-CHEM',
    category: 'permitted',
    measure: '未获得许可，不得从事危险化学品、监控化学品的生产、经营、购买',
    basis: '《危险化学品安全管理条例》《中华人民共和国监控化学品管理条例》',
    grantedBy: /危险化学品|监控化学品|剧毒化学品/,
    editions: BOTH,
  },
  {
    code: 'X-ROAD',
    category: 'permitted',
    measure: '未获得许可，不得从事道路运输经营及网络预约出租汽车经营',
    basis: '《中华人民共和国道路运输条例》',
    grantedBy: /道路旅客运输经营|道路货物运输经营|网络预约出租汽车/,
    editions: BOTH,
  },
  {
    code: 'X-HR',
    category: 'permitted',
    measure: '未获得许可，不得从事经营性人力资源服务和劳务派遣',
    basis: '《人力资源市场暂行条例》《中华人民共和国劳动合同法》第五十七条',
    grantedBy: /人力资源服务许可|劳务派遣经营许可/,
    editions: BOTH,
  },
  {
    code: 'X-ESTATE',
    category: 'permitted',
    measure: '未获得许可或资质，不得从事房地产开发经营和商品房预售',
    basis: '《中华人民共和国城市房地产管理法》',
    grantedBy: /商品房预售许可|房地产开发企业资质/,
    editions: BOTH,
  },
  {
    code: 'X-BUILD',
    category: 'permitted',
    measure: '未获得许可或资质，不得从事建筑施工',
    basis: '《中华人民共和国建筑法》第七条、第十三条',
    grantedBy: /建筑工程施工许可|建筑业企业资质/,
    editions: BOTH,
  },
  {
    code: 'X-ENV',
    category: 'permitted',
    measure: '未获得许可，不得排放污染物或从事危险废物经营',
    basis: '《排污许可管理条例》《中华人民共和国固体废物污染环境防治法》',
    grantedBy: /排污许可|危险废物经营许可/,
    editions: BOTH,
  },
  {
    code: 'X-GAS',
    category: 'permitted',
    measure: '未获得许可，不得从事燃气经营',
    basis: '《城镇燃气管理条例》第十五条',
    grantedBy: /燃气经营许可/,
    editions: BOTH,
  },
  {
    code: 'X-AGRI',
    category: 'permitted',
    measure: '未获得许可，不得从事农作物种子、农药、兽药生产经营',
    basis: '《中华人民共和国种子法》《农药管理条例》《兽药管理条例》',
    grantedBy: /种子生产经营许可|农药经营许可|兽药经营许可/,
    editions: BOTH,
  },
  {
    code: 'X-EDU',
    category: 'permitted',
    measure: '未获得许可，不得举办民办学校和校外培训机构',
    basis: '《中华人民共和国民办教育促进法》第十二条',
    grantedBy: /民办学校办学许可|校外培训机构设立/,
    editions: BOTH,
  },
  {
    code: 'X-CULT',
    category: 'permitted',
    measure: '未获得许可，不得从事营业性演出和娱乐场所经营',
    basis: '《营业性演出管理条例》《娱乐场所管理条例》',
    grantedBy: /营业性演出许可|娱乐场所经营活动/,
    editions: BOTH,
  },
  {
    code: 'X-GUARD',
    category: 'permitted',
    measure: '未获得许可，不得设立保安服务公司',
    basis: '《保安服务管理条例》第八条',
    grantedBy: /保安服务公司设立/,
    editions: BOTH,
  },
  {
    code: 'X-WATER',
    category: 'permitted',
    measure: '未获得许可，不得取用水资源',
    basis: '《取水许可和水资源费征收管理条例》',
    grantedBy: /^取水许可/,
    editions: BOTH,
  },
  {
    code: 'X-RADIO',
    category: 'permitted',
    measure: '未获得许可，不得设置、使用无线电台（站）',
    basis: '《中华人民共和国无线电管理条例》第二十七条',
    grantedBy: /无线电台/,
    editions: ['2022'],
  },
  {
    code: 'X-OIL',
    category: 'permitted',
    measure: '未获得许可，不得从事成品油零售经营',
    basis: '《国务院对确需保留的行政审批项目设定行政许可的决定》',
    grantedBy: /成品油零售经营/,
    editions: ['2025'],
  },
];

const EDITIONS = [
  { edition: '2022', title: '市场准入负面清单（2022年版，演示摘录）', publishedOn: '2022-03-12' },
  { edition: '2025', title: '市场准入负面清单（2025年版，演示摘录）', publishedOn: '2025-04-24' },
] as const;

/** The demo editions, each measure linked to the 基本编码 of the items that grant it. */
export function demoNegativeEditions(
  guides: readonly Pick<Guide, 'name' | 'basicCode'>[],
): NegativeListEdition[] {
  return EDITIONS.map((e) => ({
    ...e,
    entries: MEASURES.filter((m) => m.editions.includes(e.edition)).map((m) => ({
      code: m.code,
      category: m.category,
      measure: m.measure,
      ...(m.basis ? { basis: m.basis } : {}),
      basicCodes: m.grantedBy
        ? [...new Set(guides.filter((g) => m.grantedBy!.test(g.name)).map((g) => g.basicCode))].sort()
        : [],
    })),
  }));
}
