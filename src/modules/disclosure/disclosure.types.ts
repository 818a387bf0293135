import { z } from 'zod';
import { REGION_CODE_RE } from '../../platform/codes/index.js';

/**
 * 政府信息公开 (Regulations on Open Government Information, 2019): publications made public
 * on the government's own initiative (主动公开), and 便民服务信息: where to find hospitals,
 * schools, pharmacies, bus lines … (the 15 classes of the Zhengzhou portal).
 */

/** the 22 domains of the disclosure catalogue (基层政务公开标准化 domains) */
export const DISCLOSURE_DOMAINS = [
  '财政预决算',
  '重大建设项目',
  '公共资源交易',
  '社会救助',
  '教育',
  '医疗卫生',
  '食品药品监管',
  '环境保护',
  '安全生产',
  '住房保障',
  '国有土地上房屋征收',
  '城乡规划',
  '就业创业',
  '社会保险',
  '户籍管理',
  '涉农补贴',
  '市政服务',
  '交通运输',
  '文化旅游',
  '乡村振兴',
  '行政执法',
  '人事信息',
] as const;
export const DisclosureDomain = z.enum(DISCLOSURE_DOMAINS);
export type DisclosureDomain = z.infer<typeof DisclosureDomain>;

/** the 15 classes of convenience information */
export const CONVENIENCE_CLASSES = [
  '医院',
  '学校',
  '幼儿园',
  '药店',
  '公交线路',
  '停车场',
  '加油站',
  '充电站',
  '银行网点',
  '便民服务中心',
  '社区服务站',
  '养老机构',
  '景区',
  '图书馆',
  '体育场馆',
] as const;
export const ConvenienceClass = z.enum(CONVENIENCE_CLASSES);
export type ConvenienceClass = z.infer<typeof ConvenienceClass>;

const text = (max: number) => z.string().trim().min(1).max(max);

/** A publication to make public (主动公开). */
export const NewPublication = z.object({
  regionCode: z.string().regex(REGION_CODE_RE),
  department: text(100),
  domain: DisclosureDomain,
  category: text(50),
  title: text(200),
  body: text(20_000),
  docNumber: z.string().trim().max(100).nullable().optional(),
  publishedOn: z.iso.date(),
});
export type NewPublication = z.infer<typeof NewPublication>;

export interface Publication extends NewPublication {
  readonly id: string;
  readonly createdAt: string;
}

/** A convenience entry: public opening hours and business telephone numbers, no personal data. */
export const NewConvenience = z.object({
  regionCode: z.string().regex(REGION_CODE_RE),
  class: ConvenienceClass,
  name: text(200),
  address: text(300),
  phone: z.string().trim().max(50),
  hours: z.string().trim().max(200),
  description: z.string().trim().max(2000),
  /** where it is (WGS-84 degrees); the seed places generated entries in their division */
  lat: z.number().min(-90).max(90).nullable().optional(),
  lng: z.number().min(-180).max(180).nullable().optional(),
});
export type NewConvenience = z.infer<typeof NewConvenience>;

export interface ConvenienceEntry extends NewConvenience {
  readonly id: string;
  readonly createdAt: string;
}

export const PublicationListQuery = z.object({
  domain: DisclosureDomain.optional(),
  region: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type PublicationListQuery = z.infer<typeof PublicationListQuery>;

/** The 15 classes in English, for pages in en (the class itself is stored in Chinese). */
export const CONVENIENCE_CLASSES_EN: Record<ConvenienceClass, string> = {
  医院: 'Hospitals',
  学校: 'Schools',
  幼儿园: 'Kindergartens',
  药店: 'Pharmacies',
  公交线路: 'Bus lines',
  停车场: 'Car parks',
  加油站: 'Petrol stations',
  充电站: 'EV charging',
  银行网点: 'Bank branches',
  便民服务中心: 'Service centres',
  社区服务站: 'Community stations',
  养老机构: 'Elderly care',
  景区: 'Scenic spots',
  图书馆: 'Libraries',
  体育场馆: 'Sports venues',
};

/**
 * Browsing convenience information: by class and division, nearest first from a division the user
 * chooses (`near`) or a point (`lat` and `lng` together).
 */
export const ConvenienceQuery = z
  .object({
    class: ConvenienceClass.optional(),
    region: z.string().regex(REGION_CODE_RE).optional(),
    near: z.string().regex(REGION_CODE_RE).optional(),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lng: z.coerce.number().min(-180).max(180).optional(),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((q) => (q.lat === undefined) === (q.lng === undefined), {
    message: 'lat and lng go together',
    path: ['lng'],
  });
export type ConvenienceQuery = z.infer<typeof ConvenienceQuery>;
