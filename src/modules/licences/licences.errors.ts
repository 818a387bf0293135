import { defineErrors } from '../../kernel/index.js';

export const LicencesErrors = defineErrors({
  'LICENCES.NOT_FOUND': {
    status: 404,
    zh: '未找到该电子证照，请核对证照标识',
    en: 'No e-licence has this identifier; please check it',
  },
  'LICENCES.MALFORMED_IDENTIFIER': {
    status: 400,
    zh: '证照标识格式不正确（应为 1.2.156.3005.2.类型代码.颁发机构代码.流水号.版本号.校验位）',
    en: 'The licence identifier is malformed (expected 1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>)',
  },
  'LICENCES.CHECK_CHARACTER': {
    status: 400,
    zh: '证照标识校验位不正确，请核对是否抄错',
    en: 'The identifier’s check character does not match; it may have been mistyped',
  },
  'LICENCES.UNKNOWN_TYPE': {
    status: 400,
    zh: '未知的证照类型 {typeCode}',
    en: 'Unknown licence type {typeCode}',
  },
  'LICENCES.UNKNOWN_ISSUER': {
    status: 400,
    zh: '未知的颁发机构 {issuer}',
    en: 'Unknown issuing body {issuer}',
  },
  'LICENCES.INVALID_HOLDER': {
    status: 400,
    zh: '持证主体证件号码不正确',
    en: 'The holder’s identification number is not valid',
  },
  'LICENCES.INVALID_VALIDITY': {
    status: 400,
    zh: '有效期不正确：起始日期须早于截止日期',
    en: 'The validity period is wrong: it must start before it ends',
  },
  'LICENCES.ALREADY_REVOKED': {
    status: 409,
    zh: '该证照已注销或已被新版本替代',
    en: 'This licence is already revoked or superseded',
  },
  'LICENCES.NOT_HOLDER': {
    status: 403,
    zh: '只有持证人本人可以使用或下载该证照',
    en: 'Only the licence holder may use or download this licence',
  },
  'LICENCES.NOT_USABLE': {
    status: 409,
    zh: '该证照已注销或已过期，不能用于办事',
    en: 'This licence is revoked or expired and cannot be used',
  },
  'LICENCES.IMPORT_INVALID': {
    status: 400,
    zh: '导入文件有误，未导入任何证照',
    en: 'The import file has errors; nothing was imported',
  },
});
