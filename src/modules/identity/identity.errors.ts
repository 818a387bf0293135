import { defineErrors } from '../../kernel/index.js';

/** Coded errors of accounts, sign-in and authorisation. Messages may be shown to the caller. */
export const IdentityErrors = defineErrors({
  'IDENTITY.INVALID_CREDENTIALS': {
    status: 401,
    zh: '账号或密码不正确',
    en: 'The account name or password is not correct',
  },
  'IDENTITY.SIGNIN_THROTTLED': {
    status: 429,
    zh: '从您的网络地址登录此账号失败次数过多，请在 {minutes} 分钟后重试，或通过“忘记密码”重设密码',
    en: 'Too many failed sign-ins to this account from your network address; try again in {minutes} min or reset your password',
  },
  'IDENTITY.SIGNIN_BUSY': {
    status: 429,
    zh: '此账号正有多次登录在核验中，请稍候几秒再试',
    en: 'Several sign-ins to this account are being checked right now; try again in a few seconds',
  },
  'IDENTITY.ACCOUNT_LOCKED': {
    status: 429,
    zh: '此账号近期从多处登录失败次数异常，已临时锁定，请在 {minutes} 分钟后重试，或通过“忘记密码”重设密码',
    en: 'This account is under attack from many places and is locked; try again in {minutes} min or reset your password',
  },
  'IDENTITY.ADDRESS_THROTTLED': {
    status: 429,
    zh: '来自您网络地址的登录失败次数过多，请在 {minutes} 分钟后重试',
    en: 'Too many failed sign-ins from your network address; try again in {minutes} minutes',
  },
  // said only after the right password, and without the reason: enough to know whom to ask
  'IDENTITY.ACCOUNT_DISABLED': {
    status: 403,
    zh: '该账号已停用，如有疑问请联系平台管理员',
    en: 'This account is disabled; contact the platform administrator if you think this is wrong',
  },
  'IDENTITY.LOGIN_TAKEN': { status: 409, zh: '该登录名已被使用', en: 'This account name is already taken' },
  'IDENTITY.ORGANIZATION_NOT_PENDING': {
    status: 409,
    zh: '该单位账号不在待核验状态：可能已经核验，或其统一社会信用代码已由其他账号认领',
    en: 'This organisation account is not awaiting verification: it may be verified already, or its credit code was taken by another account',
  },
  'IDENTITY.NOT_LEGAL_REPRESENTATIVE': {
    status: 403,
    zh: '法人库登记的该单位法定代表人不是您，您不能确认此单位账号',
    en: 'The legal-person register does not name you as this organisation’s legal representative, so you cannot confirm its account',
  },
  'IDENTITY.ORGANIZATION_NOT_IN_REGISTER': {
    status: 409,
    zh: '法人库中查不到该统一社会信用代码，无法由法定代表人在线确认，请携营业执照原件到政务服务大厅窗口核验',
    en: 'The legal-person register does not know this credit code, so the legal representative cannot confirm it online; bring the original business licence to a service hall window',
  },
  'IDENTITY.ORGANIZATION_NOT_ACTIVE': {
    status: 409,
    zh: '法人库显示该单位已吊销或注销，不能核验',
    en: 'The legal-person register shows this organisation as revoked or deregistered; it cannot be verified',
  },
  'IDENTITY.ORGANIZATION_VERIFIED_ELSEWHERE': {
    status: 409,
    zh: '该统一社会信用代码已由另一经核验的单位账号持有，只能在政务服务大厅窗口核对营业执照原件后变更',
    en: 'Another verified organisation account holds this credit code; it can be moved only at a service hall window, against the original business licence',
  },
  'IDENTITY.CREDIT_CODE_MISMATCH': {
    status: 400,
    zh: '营业执照上的统一社会信用代码与该账号申报的不一致',
    en: 'The credit code on the business licence is not the one this account registered with',
  },
  'IDENTITY.ORGANIZATION_OUT_OF_SCOPE': {
    status: 403,
    zh: '该单位的登记地不在您的服务范围内，请由其登记地的窗口核验',
    en: 'This organisation is registered outside your area; a window of its own area verifies it',
  },
  'IDENTITY.REGISTRATION_CODE_INVALID': {
    status: 400,
    zh: '验证码不正确或已失效，请核对短信；多次不正确时请重新注册',
    en: 'The code is not right or no longer valid; check the message, or register again after several tries',
  },
  'IDENTITY.WEAK_PASSWORD': {
    status: 400,
    zh: '密码强度不足：至少 10 位，且包含字母、数字、符号中的至少两类，不能是常见密码或与登录名相同',
    en: 'The password is too weak: at least 10 characters, two of letters, digits and symbols, not a common password and not the account name',
  },
  'IDENTITY.WRONG_PASSWORD': { status: 400, zh: '当前密码不正确', en: 'The current password is not correct' },
  'IDENTITY.RESET_TOKEN_INVALID': {
    status: 400,
    zh: '重设密码链接无效或已过期，请重新申请',
    en: 'The password reset link is invalid or has expired; ask for a new one',
  },
  'IDENTITY.VERIFICATION_FAILED': {
    status: 400,
    zh: '实名核验未通过：所填信息与登记信息不一致',
    en: 'Real-name verification failed: the details do not match the register',
  },
  'IDENTITY.VERIFICATION_FACTORS': {
    status: 400,
    zh: '实名核验需要公民身份号码以外至少两项信息（手机号、银行卡、社会保障卡等）',
    en: 'Real-name verification needs at least two factors besides the ID number (mobile, bank card, social-security card …)',
  },
  'IDENTITY.VERIFIER_UNAVAILABLE': {
    status: 503,
    zh: '实名核验服务暂时不可用，请稍后再试；您的账户信息未作任何更改',
    en: 'The real-name verification service is not available now; try again later. Nothing on your account was changed',
  },
  'IDENTITY.ID_NUMBER_RELEASED': {
    status: 409,
    zh: '您账户登记的公民身份号码已由另一账户实名核验，已从本账户移除，不能在线核验。如该号码属于您本人，请携带居民身份证到政务服务大厅窗口现场核验',
    en: 'The ID number this account registered with was verified by another account and removed from this one; it cannot be verified online. If the number is yours, bring your ID card to a service hall window to be checked in person',
  },
  'IDENTITY.ID_NUMBER_VERIFIED': {
    status: 409,
    zh: '该公民身份号码已由另一账户实名核验，在线核验不能更改。如该账户是您的，请用它登录（可找回密码）；如有异议，请携带居民身份证到政务服务大厅窗口现场核验',
    en: 'This ID number is verified by another account; online verification cannot change that. If that account is yours, sign in to it (you can reset its password); if you dispute it, bring your ID card to a service hall window to be checked in person',
  },
  'IDENTITY.IN_PERSON_PERSONS_ONLY': {
    status: 400,
    zh: '现场核验码仅供个人（自然人）账户使用',
    en: 'One-time in-person codes are for personal accounts',
  },
  'IDENTITY.IN_PERSON_CODE_INVALID': {
    status: 400,
    zh: '账户名或现场核验码不正确，或核验码已过期、已使用。请申请人登录后在“我的账号”页重新获取',
    en: 'The account name or the one-time code is wrong, expired or used. Ask the applicant to sign in and get a new code on “My account”',
  },
  'IDENTITY.IN_PERSON_MISMATCH': {
    status: 400,
    zh: '居民身份证上的姓名或公民身份号码与该账户登记的不一致，不能核验',
    en: 'The name or ID number on the ID card is not the one this account registered with; it cannot be verified',
  },
  'IDENTITY.NOT_FOUND': { status: 404, zh: '账号不存在', en: 'No such account' },
  'IDENTITY.DELEGATION_INVALID': {
    status: 400,
    zh: '委托无效：受托人不存在、不能委托本人，或期限已过',
    en: 'Invalid delegation: no such agent, self-delegation, or expired',
  },
  'IDENTITY.TOKEN_INVALID': {
    status: 401,
    zh: '访问令牌无效或已过期',
    en: 'The access token is invalid or has expired',
  },
  'IDENTITY.REDIRECT_URI_NOT_HTTPS': {
    status: 400,
    zh: '回调地址“{uri}”必须使用 https（仅本机回环地址 127.0.0.1、[::1]、localhost 可用 http）',
    en: 'The redirect URI "{uri}" must use https (http only for the loopback hosts 127.0.0.1, [::1] and localhost)',
  },
  'IDENTITY.CLIENT_INVALID': { status: 401, zh: '客户端认证失败', en: 'Client authentication failed' },
  'IDENTITY.CLIENT_NOT_FOUND': { status: 404, zh: '没有该客户端', en: 'No such client' },
  'IDENTITY.CLIENT_REVOKED': {
    status: 409,
    zh: '该客户端已被吊销',
    en: 'This client has been revoked already',
  },
  'IDENTITY.OPERATOR_KEY': {
    status: 403,
    zh: '生产环境需要正确的运维密钥（--operator-key）',
    en: 'Production mode needs the right operator key (--operator-key)',
  },
  'IDENTITY.FEDERATION_FAILED': {
    status: 400,
    zh: '通过其他地区统一身份认证登录失败，请重试或使用本平台账号登录',
    en: "Sign-in through the other region's identity provider failed; try again or use your account here",
  },
  'IDENTITY.REASON_REQUIRED': {
    status: 400,
    zh: '请填写原因（不超过 {max} 字），它将记入该账号的历史',
    en: "Give the reason (at most {max} characters); it is kept in the account's history",
  },
  'IDENTITY.OUT_OF_SCOPE': {
    status: 403,
    zh: '该账号或授权超出您的管理范围',
    en: 'This account or grant is outside the regions or departments you administer',
  },
  'IDENTITY.OWN_ACCOUNT': {
    status: 403,
    zh: '不能停用、启用本人账号或变更本人的授权，请由其他管理员办理',
    en: 'You cannot disable, enable or change the grants of your own account; another administrator must',
  },
  'IDENTITY.ALREADY_DISABLED': {
    status: 409,
    zh: '该账号已是停用状态',
    en: 'This account is already disabled',
  },
  'IDENTITY.ALREADY_ACTIVE': { status: 409, zh: '该账号未停用', en: 'This account is not disabled' },
  'IDENTITY.GRANT_NOT_FOUND': {
    status: 404,
    zh: '该账号没有这项授权（可能已被撤销）',
    en: 'The account holds no such grant (it may have been revoked already)',
  },
  'IDENTITY.GRANT_INVALID': {
    status: 400,
    zh: '授权无效：角色、区划或部门不正确',
    en: 'Invalid grant: unknown role, region or department',
  },
  'IDENTITY.GRANT_BEYOND_SCOPE': {
    status: 403,
    zh: '您只能在本人管理的区划和部门范围内授权，且不能授出本人没有的权限',
    en: 'You may grant only within your own region and department, and no permission you do not hold yourself',
  },
});
