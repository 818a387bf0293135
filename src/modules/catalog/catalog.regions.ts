/**
 * What the catalogue needs from the regions module: departments (with their 统一社会信用代码),
 * divisions and halls. app.ts passes an adapter over the regions module's public api; until that
 * module offers every function, `localRegions` stands in with a small, real slice of Zhengzhou
 * (GB/T 2260 codes, 9/12-digit township and village codes from the statistics bureau) and
 * generated, check-digit-valid credit codes.
 */
import { generateCreditCode } from '../../platform/codes/index.js';

export type RegionLevel = 'city' | 'county' | 'township' | 'village';

export interface CatalogDepartment {
  readonly id: string;
  readonly name: string;
  readonly creditCode: string;
  readonly regionCode: string;
  /** the agency's short code shared by its counterparts at every level (`scjgj`), when known */
  readonly kind?: string;
  /**
   * set when a body implements an item for a lower division through that division's station
   * (a township office for a village): the 2-digit variant that keeps the 实施编码 unique
   */
  readonly variant?: string;
}

export interface CatalogRegion {
  readonly code: string;
  readonly name: string;
  readonly level: RegionLevel;
}

export interface CatalogHall {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly hours: string;
  readonly phone?: string;
  readonly regionCode: string;
}

export interface RegionsPort {
  listRegions(): Promise<readonly CatalogRegion[]>;
  listDepartments(): Promise<readonly CatalogDepartment[]>;
  listHalls(): Promise<readonly CatalogHall[]>;
  /** any department of the platform (imports name departments beyond the demo slice) */
  departmentById(id: string): Promise<CatalogDepartment | undefined>;
}

/**
 * A valid credit code for a government body (default registering authority 1, category 1 机关):
 * organisation-code body 41000000 + serial, check characters by GB 11714 / GB 32100.
 */
export function governmentCreditCode(regionCode6: string, serial: number, category = '11'): string {
  return generateCreditCode({
    regionCode: regionCode6,
    serial: 41_000_000 + serial,
    authority: category[0],
    category: category[1],
  });
}

/** The 62 city-level agencies of the demo city (names as the portal lists them). */
export const CITY_AGENCIES: readonly string[] = [
  '郑州市发展和改革委员会',
  '郑州市教育局',
  '郑州市科学技术局',
  '郑州市工业和信息化局',
  '郑州市民族宗教事务局',
  '郑州市公安局',
  '郑州市民政局',
  '郑州市司法局',
  '郑州市财政局',
  '郑州市人力资源和社会保障局',
  '郑州市自然资源和规划局',
  '郑州市生态环境局',
  '郑州市住房保障和房地产管理局',
  '郑州市城乡建设局',
  '郑州市城市管理局',
  '郑州市交通运输局',
  '郑州市水利局',
  '郑州市农业农村局',
  '郑州市商务局',
  '郑州市文化广电和旅游局',
  '郑州市卫生健康委员会',
  '郑州市退役军人事务局',
  '郑州市应急管理局',
  '郑州市审计局',
  '郑州市人民政府国有资产监督管理委员会',
  '郑州市市场监督管理局',
  '郑州市体育局',
  '郑州市统计局',
  '郑州市医疗保障局',
  '郑州市园林局',
  '郑州市人民防空办公室',
  '郑州市信访局',
  '郑州市机关事务管理局',
  '郑州市大数据管理局',
  '郑州市地方金融监督管理局',
  '郑州市人民政府外事办公室',
  '郑州住房公积金管理中心',
  '郑州市不动产登记中心',
  '郑州市公共资源交易中心',
  '郑州市残疾人联合会',
  '国家税务总局郑州市税务局',
  '郑州市气象局',
  '郑州市烟草专卖局',
  '郑州市邮政管理局',
  '郑州市消防救援支队',
  '郑州市档案局',
  '郑州市粮食和物资储备局',
  '郑州市供销合作社',
  '郑州市地震局',
  '郑州市文物局',
  '郑州市知识产权局',
  '郑州市畜牧局',
  '郑州市林业局',
  '郑州市城市综合执法局',
  '郑州市公安局交通警察支队',
  '郑州市公安局出入境管理支队',
  '郑州市殡葬管理处',
  '郑州市社会保险中心',
  '郑州市医疗保障服务中心',
  '郑州市人才交流中心',
  '郑州市红十字会',
  '郑州市总工会',
];

/** Demo counties, townships and villages that carry lower-level implementations. */
const DEMO_REGIONS: readonly CatalogRegion[] = [
  { code: '410100', name: '郑州市', level: 'city' },
  { code: '410105', name: '金水区', level: 'county' },
  { code: '410122', name: '中牟县', level: 'county' },
  { code: '410184', name: '新郑市', level: 'county' },
  { code: '410105001', name: '经八路街道', level: 'township' },
  { code: '410122101', name: '韩寺镇', level: 'township' },
  { code: '410105001003', name: '体育社区居民委员会', level: 'village' },
  { code: '410122101205', name: '荣庄村村民委员会', level: 'village' },
];

/** County-level counterparts of city agencies (金水区市场监督管理局 …). */
const COUNTY_AGENCIES: readonly string[] = [
  '市场监督管理局',
  '卫生健康委员会',
  '人力资源和社会保障局',
  '民政局',
  '医疗保障局',
  '住房和城乡建设局',
  '教育局',
  '农业农村局',
  '退役军人事务局',
  '交通运输局',
  '文化广电和旅游局',
  '生态环境分局',
  '自然资源局',
  '城市管理局',
  '公安分局',
  '应急管理局',
  '司法局',
  '残疾人联合会',
];

export function localRegions(): RegionsPort {
  const departments: CatalogDepartment[] = [];
  for (const [i, name] of CITY_AGENCIES.entries()) {
    departments.push({
      id: `dept-410100-${String(i + 1).padStart(2, '0')}`,
      name,
      creditCode: governmentCreditCode('410100', i + 1),
      regionCode: '410100',
    });
  }
  for (const r of DEMO_REGIONS) {
    if (r.level === 'county') {
      for (const [i, suffix] of COUNTY_AGENCIES.entries()) {
        departments.push({
          id: `dept-${r.code}-${String(i + 1).padStart(2, '0')}`,
          name: `${r.name}${suffix}`,
          creditCode: governmentCreditCode(r.code, 100 + i),
          regionCode: r.code,
        });
      }
    } else if (r.level === 'township') {
      const county = DEMO_REGIONS.find((c) => c.code === r.code.slice(0, 6))!;
      departments.push({
        id: `dept-${r.code}`,
        name: `${county.name}${r.name}${r.name.endsWith('街道') ? '办事处' : '人民政府'}`,
        creditCode: governmentCreditCode(r.code.slice(0, 6), 500 + Number(r.code.slice(6))),
        regionCode: r.code,
      });
    } else if (r.level === 'village') {
      departments.push({
        id: `dept-${r.code}`,
        name: r.name,
        // 基层群众性自治组织: registering authority 5 (民政), category 4
        creditCode: governmentCreditCode(r.code.slice(0, 6), 800 + Number(r.code.slice(9)), '54'),
        regionCode: r.code,
      });
    }
  }
  const halls: CatalogHall[] = DEMO_REGIONS.map((r) => ({
    id: `hall-${r.code}`,
    name:
      r.level === 'city'
        ? '郑州市民服务中心'
        : r.level === 'county'
          ? `${r.name}政务服务中心`
          : r.level === 'township'
            ? `${r.name}便民服务中心`
            : `${r.name}便民服务站`,
    address: r.level === 'city' ? '郑州市郑东新区心怡路与九如路交叉口' : `${r.name}政务服务大厅（演示地址）`,
    hours: '周一至周五 9:00-17:00（法定节假日除外）',
    phone: '0371-12345',
    regionCode: r.code,
  }));
  return {
    listRegions: async () => DEMO_REGIONS,
    listDepartments: async () => departments,
    listHalls: async () => halls,
    departmentById: async (id) => departments.find((d) => d.id === id),
  };
}

// ── adapter over the regions module's public api ──────────────────────────────────────────

/** The part of the regions module's api the catalogue uses (structural: no import needed). */
export interface RegionsApiLike {
  getRegion(code: string): Promise<{ code: string; name: string; level: string } | undefined>;
  children(code: string): Promise<Array<{ code: string; name: string; level: string }>>;
  departments(
    regionCode: string,
  ): Promise<Array<{ id: string; kind: string; name: string; regionCode: string; creditCode: string }>>;
  departmentById(
    id: string,
  ): Promise<{ id: string; kind: string; name: string; regionCode: string; creditCode: string } | undefined>;
  hallsNear(regionCode: string): Promise<
    Array<{
      id: string;
      name: string;
      regionCode: string;
      address: string;
      phone: string;
      hours: Array<{ days: string; from: string; to: string }>;
    }>
  >;
}

const DAYS_ZH: Record<string, string> = {
  weekdays: '周一至周五',
  saturday: '周六',
  sunday: '周日',
  daily: '每天',
};

/** The township office kind in the regions module (街道办事处 / 乡镇人民政府). */
const TOWNSHIP_OFFICE = 'xzf';

/**
 * The catalogue's view of the regions module: the city, three demo counties (金水区, 中牟县,
 * 新郑市 when present), one township in each of the first two and one village in each township.
 */
export function regionsPortFromApi(api: RegionsApiLike, cityCode = '410100'): RegionsPort {
  let cached:
    | Promise<{ regions: CatalogRegion[]; departments: CatalogDepartment[]; halls: CatalogHall[] }>
    | undefined;
  const load = async () => {
    const city = await api.getRegion(cityCode);
    if (!city) return { regions: [], departments: [], halls: [] };
    const regions: CatalogRegion[] = [{ code: city.code, name: city.name, level: 'city' }];
    const counties = (await api.children(cityCode)).filter((c) => c.level === 'county');
    const wanted = ['410105', '410122', '410184'];
    const picked = wanted.map((w) => counties.find((c) => c.code === w)).filter((c) => c !== undefined);
    for (const c of picked.length ? picked : counties.slice(0, 3))
      regions.push({ code: c.code, name: c.name, level: 'county' });
    const countyRegions = regions.filter((r) => r.level === 'county').slice(0, 2);
    for (const c of countyRegions) {
      const t = (await api.children(c.code)).find((x) => x.level === 'township');
      if (!t) continue;
      regions.push({ code: t.code, name: t.name, level: 'township' });
      const v = (await api.children(t.code)).find((x) => x.level === 'village');
      if (v) regions.push({ code: v.code, name: v.name, level: 'village' });
    }
    const departments: CatalogDepartment[] = [];
    const halls = new Map<string, CatalogHall>();
    for (const r of regions) {
      const own = await api.departments(r.code);
      if (r.level === 'village') {
        // a village has no implementing body of its own: its township office acts through the station
        const office = (await api.departments(r.code.slice(0, 9))).find((d) => d.kind === TOWNSHIP_OFFICE);
        if (office)
          departments.push({
            ...office,
            regionCode: r.code,
            variant: r.code.slice(10, 12) === '00' ? '01' : r.code.slice(10, 12),
          });
      } else {
        for (const d of own)
          departments.push({
            id: d.id,
            name: d.name,
            creditCode: d.creditCode,
            regionCode: d.regionCode,
            kind: d.kind,
          });
      }
      for (const h of await api.hallsNear(r.code)) {
        if (h.regionCode !== r.code || halls.has(h.id)) continue;
        halls.set(h.id, {
          id: h.id,
          name: h.name,
          address: h.address,
          phone: h.phone,
          regionCode: h.regionCode,
          hours:
            h.hours.map((p) => `${DAYS_ZH[p.days] ?? p.days} ${p.from}-${p.to}`).join('，') || '工作日办公',
        });
      }
    }
    return { regions, departments, halls: [...halls.values()] };
  };
  const get = () => {
    cached ??= load().catch((e: unknown) => {
      cached = undefined;
      throw e;
    });
    return cached;
  };
  return {
    listRegions: async () => (await get()).regions,
    listDepartments: async () => (await get()).departments,
    listHalls: async () => (await get()).halls,
    async departmentById(id) {
      const local = (await get()).departments.find((d) => d.id === id);
      if (local) return local;
      const d = await api.departmentById(id);
      return d
        ? { id: d.id, name: d.name, creditCode: d.creditCode, regionCode: d.regionCode, kind: d.kind }
        : undefined;
    },
  };
}
