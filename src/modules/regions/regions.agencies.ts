/**
 * The agencies of the demo city's government: the 62 city-level bodies a Zhengzhou-style
 * municipal government runs services through (工作部门, 直属机构, 垂直管理 and 群团 bodies that
 * implement service items), and which of them have a counterpart in each county-level unit.
 *
 * `name` is a template: {r} the region's name (郑州市, 金水区 …), {c} the city's name. The short
 * `kind` code names the same agency at every level (`jyj` 郑州市教育局 / 金水区教育局), which is
 * how an item's implementing department is found for an applicant's region.
 */
export interface Agency {
  readonly kind: string;
  readonly name: string;
  /** the agency's name in English, without the region */
  readonly en: string;
  /** the template for county-level counterparts (default: `name`) */
  readonly countyName?: string;
  /**
   * which county-level units have a counterpart: core = every one (区, 县, 县级市 and the
   * development zones), all = 区, 县 and 县级市, rural = 县 and 县级市 only; none when absent
   */
  readonly counties?: 'all' | 'core' | 'rural';
}

export const CITY_AGENCIES: readonly Agency[] = [
  { kind: 'bgs', name: '{r}人民政府办公室', en: 'General Office of the People’s Government' },
  { kind: 'fgw', name: '{r}发展和改革委员会', en: 'Development and Reform Commission', counties: 'all' },
  { kind: 'jyj', name: '{r}教育局', en: 'Education Bureau', counties: 'core' },
  { kind: 'kjj', name: '{r}科学技术局', en: 'Science and Technology Bureau', counties: 'all' },
  {
    kind: 'gxj',
    name: '{r}工业和信息化局',
    en: 'Industry and Information Technology Bureau',
    counties: 'all',
  },
  { kind: 'mzw', name: '{r}民族宗教事务委员会', en: 'Ethnic and Religious Affairs Commission' },
  {
    kind: 'gaj',
    name: '{r}公安局',
    countyName: '{c}公安局{r}分局',
    en: 'Public Security Bureau',
    counties: 'core',
  },
  { kind: 'mzj', name: '{r}民政局', en: 'Civil Affairs Bureau', counties: 'core' },
  { kind: 'sfj', name: '{r}司法局', en: 'Justice Bureau', counties: 'core' },
  { kind: 'czj', name: '{r}财政局', en: 'Finance Bureau', counties: 'core' },
  {
    kind: 'rsj',
    name: '{r}人力资源和社会保障局',
    en: 'Human Resources and Social Security Bureau',
    counties: 'core',
  },
  {
    kind: 'zrzyj',
    name: '{r}自然资源和规划局',
    countyName: '{c}自然资源和规划局{r}分局',
    en: 'Natural Resources and Planning Bureau',
    counties: 'core',
  },
  {
    kind: 'sthjj',
    name: '{r}生态环境局',
    countyName: '{c}生态环境局{r}分局',
    en: 'Ecology and Environment Bureau',
    counties: 'core',
  },
  { kind: 'fgj', name: '{r}住房保障和房地产管理局', en: 'Housing Security and Real Estate Administration' },
  {
    kind: 'cjj',
    name: '{r}城乡建设局',
    countyName: '{r}住房和城乡建设局',
    en: 'Urban and Rural Construction Bureau',
    counties: 'core',
  },
  { kind: 'cgj', name: '{r}城市管理局', en: 'Urban Management Bureau', counties: 'core' },
  { kind: 'jtj', name: '{r}交通运输局', en: 'Transport Bureau', counties: 'core' },
  { kind: 'slj', name: '{r}水利局', en: 'Water Resources Bureau', counties: 'rural' },
  { kind: 'nyncj', name: '{r}农业农村局', en: 'Agriculture and Rural Affairs Bureau', counties: 'all' },
  { kind: 'swj', name: '{r}商务局', en: 'Commerce Bureau', counties: 'core' },
  {
    kind: 'wglj',
    name: '{r}文化广电和旅游局',
    en: 'Culture, Radio, Television and Tourism Bureau',
    counties: 'all',
  },
  { kind: 'wjw', name: '{r}卫生健康委员会', en: 'Health Commission', counties: 'core' },
  { kind: 'tyjrj', name: '{r}退役军人事务局', en: 'Veterans Affairs Bureau', counties: 'all' },
  { kind: 'yjj', name: '{r}应急管理局', en: 'Emergency Management Bureau', counties: 'core' },
  { kind: 'sjj', name: '{r}审计局', en: 'Audit Bureau', counties: 'all' },
  { kind: 'wb', name: '{r}人民政府外事办公室', en: 'Foreign Affairs Office' },
  {
    kind: 'gzw',
    name: '{r}人民政府国有资产监督管理委员会',
    en: 'State-owned Assets Supervision and Administration Commission',
  },
  {
    kind: 'scjgj',
    name: '{r}市场监督管理局',
    en: 'Market Supervision and Administration Bureau',
    counties: 'core',
  },
  { kind: 'tyj', name: '{r}体育局', en: 'Sports Bureau' },
  { kind: 'tjj', name: '{r}统计局', en: 'Statistics Bureau', counties: 'all' },
  { kind: 'ybj', name: '{r}医疗保障局', en: 'Healthcare Security Bureau', counties: 'all' },
  { kind: 'ylj', name: '{r}园林局', en: 'Landscape and Gardening Bureau' },
  { kind: 'lyj', name: '{r}林业局', en: 'Forestry Bureau' },
  { kind: 'rfb', name: '{r}人民防空办公室', en: 'Civil Air Defence Office' },
  { kind: 'xfj', name: '{r}信访局', en: 'Public Complaints and Proposals Bureau' },
  { kind: 'jgswj', name: '{r}机关事务管理局', en: 'Government Offices Administration' },
  { kind: 'jrj', name: '{r}地方金融监督管理局', en: 'Local Financial Supervision and Administration Bureau' },
  {
    kind: 'zwfw',
    name: '{r}行政审批和政务信息管理局',
    en: 'Administrative Approval and Government Information Bureau',
    counties: 'core',
  },
  { kind: 'lsj', name: '{r}粮食和物资储备局', en: 'Grain and Material Reserves Bureau' },
  { kind: 'wwj', name: '{r}文物局', en: 'Cultural Heritage Bureau' },
  {
    kind: 'swuj',
    name: '国家税务总局{r}税务局',
    countyName: '国家税务总局{c}{r}税务局',
    en: 'Taxation Bureau (State Taxation Administration)',
    counties: 'core',
  },
  {
    kind: 'gjj',
    name: '{r}住房公积金管理中心',
    countyName: '{c}住房公积金管理中心{r}管理部',
    en: 'Housing Provident Fund Management Centre',
    counties: 'all',
  },
  { kind: 'bdc', name: '{r}不动产登记中心', en: 'Real Estate Registration Centre', counties: 'core' },
  { kind: 'ggzy', name: '{r}公共资源交易中心', en: 'Public Resources Trading Centre' },
  { kind: 'xfjy', name: '{r}消防救援支队', en: 'Fire and Rescue Detachment' },
  { kind: 'qxj', name: '{r}气象局', en: 'Meteorological Bureau' },
  { kind: 'yzj', name: '{r}邮政管理局', en: 'Postal Administration' },
  { kind: 'dag', name: '{r}档案馆', en: 'Archives' },
  { kind: 'dzj', name: '{r}地震局', en: 'Earthquake Administration' },
  { kind: 'cl', name: '{r}残疾人联合会', en: 'Disabled Persons’ Federation' },
  { kind: 'bb', name: '中共{r}委机构编制委员会办公室', en: 'Commission Office for Public Sector Reform' },
  { kind: 'hhj', name: '{r}黄河河务局', en: 'Yellow River Affairs Bureau' },
  { kind: 'yczm', name: '{r}烟草专卖局', en: 'Tobacco Monopoly Bureau' },
  { kind: 'kab', name: '{r}人民政府口岸办公室', en: 'Port Office' },
  { kind: 'fpb', name: '{r}扶贫开发办公室', en: 'Poverty Alleviation and Development Office' },
  { kind: 'zgh', name: '{r}总工会', en: 'Federation of Trade Unions' },
  { kind: 'fl', name: '{r}妇女联合会', en: 'Women’s Federation' },
  { kind: 'tw', name: '共青团{r}委员会', en: 'Communist Youth League Committee' },
  { kind: 'kx', name: '{r}科学技术协会', en: 'Association for Science and Technology' },
  { kind: 'hszh', name: '{r}红十字会', en: 'Red Cross Society' },
  { kind: 'gxs', name: '{r}供销合作社', en: 'Supply and Marketing Cooperative' },
  { kind: 'bjlsc', name: '{r}人民政府驻北京联络处', en: 'Liaison Office in Beijing' },
];

/** The township office (街道办事处 / 乡镇人民政府): the implementing body of township- and village-level items. */
export const TOWNSHIP_OFFICE_KIND = 'xzf';
