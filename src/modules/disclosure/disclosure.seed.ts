import {
  ZHENGZHOU_CONVENIENCE_ITEMS,
  ZHENGZHOU_INFORMATION_ITEMS,
  type GeneratedConvenience,
  type GeneratedPublication,
  generateConvenience,
  generatePublications,
} from './disclosure.generate.js';
import type { DisclosureService } from './disclosure.service.js';

/** A few hand-written publications of the demo city, besides the generated ones. */
const DEMO_PUBLICATIONS: readonly GeneratedPublication[] = [
  {
    regionCode: '410100',
    department: '郑州市人民政府办公室',
    domain: '医疗卫生',
    category: '政策文件',
    title: '郑州市人民政府办公室关于做好2024年城乡居民基本医疗保险参保缴费工作的通知',
    body: '各县（市、区）人民政府，市人民政府各部门：为做好2024年城乡居民基本医疗保险参保缴费工作，个人缴费标准为每人每年380元。参保群众可通过一网通办平台、社会保障卡或就近的便民服务中心缴费。',
    docNumber: '郑政办〔2023〕58号',
    publishedOn: '2023-09-15',
  },
  {
    regionCode: '410100',
    department: '郑州市市场监督管理局',
    domain: '食品药品监管',
    category: '政策解读',
    title: '《食品经营许可和备案管理办法》政策解读',
    body: '新办法自2023年12月1日起施行。仅销售预包装食品的，实行备案管理；从事餐饮服务的，仍需申请食品经营许可证。申请人可通过一网通办平台全程网办。',
    docNumber: null,
    publishedOn: '2023-11-20',
  },
  {
    regionCode: '410105',
    department: '金水区教育局',
    domain: '教育',
    category: '通知公告',
    title: '金水区2024年义务教育阶段学校招生入学工作实施方案',
    body: '适龄儿童入学实行划片招生、免试就近入学。报名时间为7月上旬，家长登录义务教育招生入学服务平台填报信息，需提供户口簿、不动产权证书或租赁备案证明。',
    docNumber: '金教〔2024〕12号',
    publishedOn: '2024-06-10',
  },
];

const DEMO_CONVENIENCE: readonly GeneratedConvenience[] = [
  {
    regionCode: '410105',
    class: '便民服务中心',
    name: '郑州市政务服务中心',
    address: '郑州市金水区心怡路与正光路交叉口',
    phone: '0371-12345',
    hours: '工作日 9:00-17:00，周六延时服务',
    description: '市级政务服务大厅，集中办理市级政务服务事项，设综合受理窗口和24小时自助服务区。',
    lat: 34.7786,
    lng: 113.7376,
  },
  {
    regionCode: '410102',
    class: '医院',
    name: '郑州大学第一附属医院',
    address: '郑州市二七区建设东路1号',
    phone: '0371-66862114',
    hours: '门诊 8:00-12:00 14:30-17:30，急诊24小时',
    description: '三级甲等综合医院，支持医保电子凭证结算和异地就医直接结算。',
    lat: 34.7533,
    lng: 113.6536,
  },
];

/** Gives a generated convenience entry its place (near its division's point); identity when unknown. */
export type Locate = (c: GeneratedConvenience) => GeneratedConvenience;

function* located(items: Iterable<GeneratedConvenience>, locate: Locate): Generator<GeneratedConvenience> {
  for (const c of items) yield c.lat == null ? locate(c) : c;
}

/** Demo city: the hand-written entries and a few hundred generated ones. */
export async function seedDemo(svc: DisclosureService, locate: Locate = (c) => c): Promise<void> {
  await svc.bulkImport(
    [...DEMO_PUBLICATIONS, ...generatePublications(300, 7)],
    located([...DEMO_CONVENIENCE, ...generateConvenience(150, 7)], locate),
  );
}

/** `tongban seed --scale zhengzhou`: 73,139 information items and 20,004 convenience entries. */
export async function seedScale(
  svc: DisclosureService,
  progress: (label: string, total: number) => { tick(n?: number): void; done(): void },
  locate: Locate = (c) => c,
): Promise<void> {
  const bar = progress(
    'disclosure: information and convenience items',
    ZHENGZHOU_INFORMATION_ITEMS + ZHENGZHOU_CONVENIENCE_ITEMS,
  );
  await svc.bulkImport(
    generatePublications(ZHENGZHOU_INFORMATION_ITEMS),
    located(generateConvenience(ZHENGZHOU_CONVENIENCE_ITEMS), locate),
    (n) => bar.tick(n),
  );
  bar.done();
}
