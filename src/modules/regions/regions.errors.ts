import { defineErrors } from '../../kernel/index.js';

export const RegionsErrors = defineErrors({
  'REGIONS.NOT_FOUND': { status: 404, zh: '行政区划 {code} 不存在', en: 'There is no region {code}' },
  'REGIONS.DEPARTMENT_NOT_FOUND': { status: 404, zh: '部门不存在', en: 'There is no such department' },
  'REGIONS.DEPARTMENT_KIND_REQUIRED': {
    status: 422,
    zh: '市级和县级事项须指明实施部门',
    en: 'City- and county-level items need the implementing department',
  },
  'REGIONS.NO_IMPLEMENTING_BODY': {
    status: 422,
    zh: '{region}没有可实施该事项的部门（{kind}）',
    en: '{region} has no department ({kind}) that implements this item',
  },
  'REGIONS.REGION_TOO_COARSE': {
    status: 422,
    zh: '请将地区选择到{levelZh}一级',
    en: 'Please choose a region down to the {levelEn} level',
  },
});
