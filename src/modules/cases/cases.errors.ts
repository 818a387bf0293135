import { defineErrors } from '../../kernel/index.js';

export const CasesErrors = defineErrors({
  'CASES.NOT_FOUND': { status: 404, zh: '未找到办件 {caseNumber}', en: 'Case {caseNumber} was not found' },
  'CASES.ITEM_NOT_FOUND': {
    status: 404,
    zh: '事项 {code} 不存在或未发布，无法申请',
    en: 'Item {code} does not exist or is not published; it cannot be applied for',
  },
  'CASES.ITEM_NOT_ONLINE': {
    status: 409,
    zh: '该事项不支持网上申请（网上办理深度为 {depth}），请到窗口办理',
    en: 'This item cannot be applied for online (online depth {depth}); please apply at a service hall',
  },
  'CASES.ORGANIZATION_UNVERIFIED': {
    status: 403,
    zh: '本单位账号尚未核验，不能以单位名义提交申请。核验方式：请法定代表人用本人实名账号（实名等级 L2 及以上）登录，在“我的账号”页确认本单位账号；或携营业执照原件到政务服务大厅窗口核验。核验前可以继续填写和保存草稿。',
    en: 'This organisation account is not verified yet, so it cannot apply in the organisation’s name. To verify it, the legal representative signs in with their own real-name account (level L2 or above) and confirms it on “My account”, or bring the original business licence to a service hall window. You can keep filling in and saving drafts meanwhile.',
  },
  'CASES.AUDIENCE': {
    status: 403,
    zh: '该事项的服务对象不包括您的账户类型',
    en: 'This item is not offered to your kind of account',
  },
  'CASES.REAL_NAME_LEVEL': {
    status: 403,
    zh: '此事项要求申请人实名等级达到 L2（已实名核验），申请人当前为 L{current}。请先登录，在“我的账号”页完成实名核验（手机号、银行卡、社会保障卡中任选两项），再提交申请',
    en: 'This item needs real-name level L2 (identity verified); the applicant is at L{current}. Sign in and verify your identity on “My account” (two of: mobile, bank card, social-security card), then submit again',
  },
  'CASES.REAL_NAME_IN_PERSON': {
    status: 403,
    zh: '此事项依法须本人到场，要求申请人实名等级达到 L3（现场核验），申请人当前为 L{current}。请携带居民身份证到政务服务大厅窗口：登录后在“我的账号”页取得现场核验码交给工作人员，核验通过后再提交申请',
    en: 'The law has the applicant appear in person for this item: it needs real-name level L3 (checked in person); the applicant is at L{current}. Bring your ID card to a service hall window, show the clerk the one-time code from “My account”, and submit again once checked',
  },
  'CASES.ORGANIZATION_IN_PERSON': {
    status: 403,
    zh: '此事项依法须到场办理，要求单位账号经窗口现场核验（实名等级 L3），本单位当前为 L{current}。请携营业执照原件到政务服务大厅窗口核验后再提交申请',
    en: 'The law has this item applied for in person: the organisation account must be verified at a service hall window (level L3); it is at L{current}. Bring the original business licence to a window, then submit again',
  },
  'CASES.FORM_INVALID': {
    status: 400,
    zh: '申请表填写有误，请按提示修改',
    en: 'The application form has errors; please correct them',
  },
  'CASES.NO_DECIDING_BODY': {
    status: 422,
    zh: '您所在的地区没有办理该事项的部门',
    en: 'No department handles this item for your region',
  },
  'CASES.TRANSITION_NOT_ALLOWED': {
    status: 409,
    zh: '办件当前状态为“{status}”，不能执行“{action}”',
    en: 'The case is “{status}”; “{action}” is not allowed now',
  },
  'CASES.DEFICIENCY_OUTSTANDING': {
    status: 409,
    zh: '容缺受理的材料尚未补齐，不能作出决定',
    en: 'Materials missing at acceptance have not been supplied; no decision can be made yet',
  },
  'CASES.ALREADY_EXTENDED': {
    status: 409,
    zh: '该办件已延期一次，不能再次延期',
    en: 'This case has already been extended once',
  },
  'CASES.EXTENSION_TOO_LONG': {
    status: 400,
    zh: '延期最多 {max} 个工作日',
    en: 'An extension may add at most {max} working days',
  },
  'CASES.NOT_ALLOWED_FOR_ITEM': {
    status: 409,
    zh: '该事项不适用此操作',
    en: 'This action does not apply to this item',
  },
  'CASES.EMPTY_LIST': {
    status: 400,
    zh: '请列出全部所需材料或承诺事项',
    en: 'List every missing material or commitment',
  },
  'CASES.BULK_NOT_ALLOWED': {
    status: 409,
    zh: '只有即办件可以批量受理，其他事项请逐件受理',
    en: 'Only immediate items may be accepted in bulk; accept the others one at a time',
  },
  'CASES.OUT_OF_SCOPE': {
    status: 403,
    zh: '该办件不在您的办理范围内',
    en: 'This case is outside the regions or departments you handle',
  },
  'CASES.CONCURRENT_CHANGE': {
    status: 409,
    zh: '办件刚被其他人处理，请刷新后重试',
    en: 'Someone else acted on this case just now; reload and try again',
  },
  'CASES.UPLOAD_TOO_LARGE': {
    status: 413,
    zh: '材料“{name}”超过 {maxMb} MB 的上限',
    en: 'Material “{name}” is larger than the {maxMb} MB limit',
  },
  'CASES.UPLOAD_POST_TOO_LARGE': {
    status: 413,
    zh: '这次上传的文件合计超过 {maxMb} MB，“{name}”未能接收；请分几次上传',
    en: 'The files of this upload together pass {maxMb} MB, so “{name}” was not received; upload them in several goes',
  },
  'CASES.MATERIALS_MISSING': {
    status: 400,
    zh: '还缺少以下材料：{names}',
    en: 'These materials are still missing: {names}',
  },
  'CASES.REQUEST_ID_REUSED': {
    status: 422,
    zh: '该请求编号已用于另一项不同的请求，请刷新页面后重新提交',
    en: 'This request ID was already used for a different request; reload and submit again',
  },
  'CASES.ALREADY_SUBMITTED': {
    status: 409,
    zh: '这份申请已经提交，请在“我的办件”中查看',
    en: 'This application has already been submitted; see My cases',
  },
  'CASES.UPLOAD_TYPE': {
    status: 415,
    zh: '材料“{name}”不是 PDF、PNG 或 JPEG 文件（按文件内容判断）',
    en: 'Material “{name}” is not a PDF, PNG or JPEG file (judged by its content)',
  },
  'CASES.UPLOAD_LABEL': {
    status: 415,
    zh: '材料“{name}”的声明类型与文件内容不符',
    en: 'Material “{name}” is labelled as a different type than its content',
  },
  'CASES.MATERIAL_UNKNOWN': {
    status: 400,
    zh: '该事项没有名为“{code}”的材料',
    en: 'This item has no material “{code}”',
  },
  'CASES.LICENCE_NOT_USABLE': {
    status: 400,
    zh: '材料“{code}”所用的电子证照不属于申请人或已失效',
    en: 'The e-licence given for material “{code}” is not the applicant’s or is not in force',
  },
  'CASES.BUNDLE_NOT_FOUND': { status: 404, zh: '未找到“一件事”{code}', en: 'Bundle {code} was not found' },
  'CASES.NOT_DELEGATED': {
    status: 403,
    zh: '该申请人没有委托您代为办理此事项，或委托已撤销、已过期',
    en: 'The applicant has not delegated this item to you, or the delegation was revoked or has expired',
  },
  'CASES.RESULT_NOT_READY': {
    status: 409,
    zh: '该办件的结果尚未在窗口等待领取（未出具、不是窗口领取，或已被领取），无法代领出件',
    en: 'The case’s result is not waiting at the window for collection (not issued, not for collection at a window, or already collected)',
  },
  'CASES.APPLICANT_UNKNOWN': {
    status: 400,
    zh: '未找到该申请人：请核对申请人的账户编号或公民身份号码（申请人须已有通办账户）',
    en: 'No such applicant: check the applicant’s account id or citizen ID number (the applicant needs a tongban account)',
  },
  'CASES.HALL_NOT_FOUND': { status: 404, zh: '未找到服务大厅', en: 'Service hall not found' },
  'CASES.HALL_NOT_ACCEPTING': {
    status: 403,
    zh: '该大厅不能受理此事项（非全城通办，且不属于办理机构所在地）',
    en: 'This hall cannot accept the item (not city-wide, and outside the deciding body’s region)',
  },
});
