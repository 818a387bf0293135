import { defineErrors } from '../../kernel/index.js';

export const CatalogErrors = defineErrors({
  'CATALOG.LIST_EDITION_NOT_FOUND': {
    status: 404,
    zh: '没有这一版本的市场准入负面清单',
    en: 'No such edition of the market-access negative list',
  },
  'CATALOG.NOT_FOUND': { status: 404, zh: '未找到该政务服务事项', en: 'No such service item' },
  'CATALOG.VERSION_NOT_FOUND': {
    status: 404,
    zh: '未找到该事项的这一版本',
    en: 'No such version of the item',
  },
  'CATALOG.INVALID_GUIDE': {
    status: 400,
    zh: '办事指南内容不完整或格式有误，请按提示逐项修改',
    en: 'The service guide is incomplete or malformed; fix each field listed',
  },
  'CATALOG.QUALITY_FAILED': {
    status: 422,
    zh: '办事指南未通过质量检查（共 {count} 项），修改后才能发布',
    en: 'The service guide failed {count} quality rule(s); fix them before publishing',
  },
  'CATALOG.DRAFT_EXISTS': {
    status: 409,
    zh: '该事项已有未发布的草稿或待审核版本',
    en: 'The item already has an unpublished draft or a version in review',
  },
  'CATALOG.ALREADY_EXISTS': {
    status: 409,
    zh: '该实施编码的事项已存在，请编辑现有事项',
    en: 'An item with this implementation code exists; edit it instead',
  },
  'CATALOG.NO_DRAFT': { status: 409, zh: '该事项没有可编辑的草稿', en: 'The item has no draft to edit' },
  'CATALOG.NOT_IN_REVIEW': {
    status: 409,
    zh: '该事项没有待审核的版本',
    en: 'The item has no version in review',
  },
  'CATALOG.NOT_PUBLISHED': {
    status: 409,
    zh: '该事项没有已发布的版本',
    en: 'The item has no published version',
  },
  'CATALOG.CODE_CHANGED': {
    status: 409,
    zh: '修改草稿不能改变实施编码（实施主体、基本编码或情形序号）',
    en: 'A draft cannot change its implementation code (body, basic code or variant)',
  },
  'CATALOG.DEPARTMENT_UNKNOWN': {
    status: 422,
    zh: '实施主体不存在或统一社会信用代码与部门不符',
    en: 'The implementing body does not exist or its credit code does not match',
  },
  'CATALOG.IMPORT_INVALID': {
    status: 422,
    zh: '导入文件有 {count} 行未通过检查，未写入任何数据',
    en: '{count} row(s) of the import failed the checks; nothing was written',
  },
  'CATALOG.IMPORT_FORMAT': {
    status: 400,
    zh: '无法读取导入文件：{reason}',
    en: 'The import file could not be read: {reason}',
  },
  'CATALOG.BAD_DATE': {
    status: 400,
    zh: '生效日期格式应为 YYYY-MM-DD',
    en: 'The effective date must be YYYY-MM-DD',
  },
});
