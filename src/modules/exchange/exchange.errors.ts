import { defineErrors } from '../../kernel/index.js';

/** Coded errors of the data-sharing exchange; every refused lookup answers one of these (and is recorded). */
export const ExchangeErrors = defineErrors({
  'EXCHANGE.INVALID': {
    status: 400,
    zh: '提交的共享申请或数据不完整或格式不正确',
    en: 'The sharing request or data is incomplete or malformed',
  },
  'EXCHANGE.RESOURCE_UNKNOWN': {
    status: 404,
    zh: '目录中没有该数据资源',
    en: 'The catalogue has no such data resource',
  },
  'EXCHANGE.NOT_SHARED': {
    status: 409,
    zh: '该数据资源不予共享',
    en: 'This data resource is not shared',
  },
  'EXCHANGE.NOT_CONSUMER': {
    status: 403,
    zh: '调用方不是已登记的数据共享使用部门',
    en: 'The caller is not a registered consumer department of the exchange',
  },
  'EXCHANGE.NO_GRANT': {
    status: 403,
    zh: '本部门没有该数据资源的共享授权',
    en: 'Your department holds no grant on this data resource',
  },
  'EXCHANGE.FIELD_NOT_GRANTED': {
    status: 403,
    zh: '授权不包含所请求的数据项',
    en: 'The grant does not include a data item asked for',
  },
  'EXCHANGE.GRANT_EXPIRED': {
    status: 403,
    zh: '共享授权已过期',
    en: 'The sharing grant has expired',
  },
  'EXCHANGE.GRANT_REVOKED': {
    status: 403,
    zh: '共享授权已被暂停或撤销',
    en: 'The sharing grant has been suspended or revoked',
  },
  'EXCHANGE.RATE_EXCEEDED': {
    status: 429,
    zh: '超出授权的调用频率，请稍后再试',
    en: 'The grant’s rate limit is exceeded; try again later',
  },
  'EXCHANGE.SUBJECT_NOT_FOUND': {
    status: 404,
    zh: '库中没有该主体的记录',
    en: 'The register holds no record for this subject',
  },
  'EXCHANGE.KEY_INVALID': {
    status: 400,
    zh: '查询的证件号码或代码无效',
    en: 'The key looked up is not a valid number or code',
  },
  'EXCHANGE.DETAILS_STAFF_ONLY': {
    status: 403,
    zh: '数据资源的详细信息仅供政务工作人员和共享使用部门查看',
    en: 'A data resource’s details are for government staff and consumer departments only',
  },
  'EXCHANGE.REQUEST_NOT_FOUND': { status: 404, zh: '未找到该共享申请', en: 'No such sharing request' },
  'EXCHANGE.REQUEST_DECIDED': {
    status: 409,
    zh: '该共享申请已经处理',
    en: 'This sharing request has already been decided',
  },
  'EXCHANGE.REASON_REQUIRED': {
    status: 400,
    zh: '不予共享须说明理由',
    en: 'A refusal needs a reason',
  },
  'EXCHANGE.GRANT_NOT_FOUND': { status: 404, zh: '未找到该共享授权', en: 'No such sharing grant' },
  'EXCHANGE.NOT_PROVIDER': {
    status: 403,
    zh: '只有数据提供部门可以处理',
    en: 'Only the providing department may do this',
  },
  'EXCHANGE.ACCESS_NOT_FOUND': {
    status: 404,
    zh: '未找到该数据使用记录',
    en: 'No such data-access record',
  },
  'EXCHANGE.BULK_NOT_GRANTED': {
    status: 403,
    zh: '该资源或本部门的授权不提供批量文件',
    en: 'Bulk files are not offered by this resource or allowed by your grant',
  },
  'EXCHANGE.IMPORT_FORMAT': {
    status: 400,
    zh: '无法读取导入文件：{reason}',
    en: 'The import file could not be read: {reason}',
  },
  'EXCHANGE.IMPORT_INVALID': {
    status: 422,
    zh: '导入文件有 {count} 行未通过检查，未写入任何数据',
    en: '{count} row(s) of the import failed the checks; nothing was written',
  },
  'EXCHANGE.OBJECTION_NOT_FOUND': { status: 404, zh: '未找到该异议', en: 'No such objection' },
  'EXCHANGE.OBJECTION_ANSWERED': {
    status: 409,
    zh: '该异议已经答复',
    en: 'This objection has already been answered',
  },
  'EXCHANGE.CONSUMER_UNKNOWN': {
    status: 404,
    zh: '没有该数据共享使用系统',
    en: 'No such consumer system of the exchange',
  },
  'EXCHANGE.DEPARTMENT_UNKNOWN': {
    status: 400,
    zh: '没有该部门',
    en: 'No such department',
  },
});
