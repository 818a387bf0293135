import { defineErrors } from '../../kernel/index.js';

export const RatingsErrors = defineErrors({
  // one answer whether the case does not exist or is someone else's: no oracle of case numbers
  'RATINGS.CASE_NOT_FOUND': { status: 404, zh: '未找到您的这件办件', en: 'No such case of yours' },
  'RATINGS.STAGE_NOT_REACHED': {
    status: 409,
    zh: '办件尚未到达该环节，暂不能评价',
    en: 'The case has not reached this stage yet, so it cannot be rated at it',
  },
  'RATINGS.ALREADY_RATED': {
    status: 409,
    zh: '该办件在此环节、此渠道已评价过（一事一评）',
    en: 'This case has already been rated at this stage through this channel',
  },
  'RATINGS.NOTHING_TO_FOLLOW': {
    status: 409,
    zh: '尚未评价，不能追评',
    en: 'There is no rating yet to follow up',
  },
  'RATINGS.CHANNEL_NOT_ALLOWED': {
    status: 403,
    zh: '您不能通过该渠道评价此办件',
    en: 'You cannot rate this case through this channel',
  },
  'RATINGS.INDICATOR_NOT_APPLICABLE': {
    status: 400,
    zh: '评价指标不适用于该办件的办理方式',
    en: 'These indicators do not apply to how this case was handled',
  },
  'RATINGS.WINDOW_REQUIRED': {
    status: 400,
    zh: '窗口评价须注明窗口编号',
    en: 'A rating at the window must name the window',
  },
  'RATINGS.LINK_INVALID': { status: 404, zh: '评价链接无效', en: 'This rating link is not valid' },
  'RATINGS.LINK_EXPIRED': { status: 410, zh: '评价链接已过期', en: 'This rating link has expired' },
  'RATINGS.LINK_USED': { status: 409, zh: '评价链接已使用过', en: 'This rating link has already been used' },
  'RATINGS.RECTIFICATION_NOT_FOUND': {
    status: 404,
    zh: '未找到该差评整改',
    en: 'No such rectification',
  },
  'RATINGS.STEP_NOT_ALLOWED': {
    status: 409,
    zh: '整改当前状态不允许此操作',
    en: 'The rectification does not allow this step now',
  },
  'RATINGS.CALLBACK_FIRST': {
    status: 409,
    zh: '实名差评须先回访，再整改或解释',
    en: 'A named poor rating must be called back before it is fixed or explained',
  },
  'RATINGS.COMPLAINT_NOT_FOUND': { status: 404, zh: '未找到该诉求', en: 'No such enquiry or complaint' },
  'RATINGS.SUBJECT_NOT_FOUND': {
    status: 404,
    zh: '未找到诉求所涉的事项、大厅或办件',
    en: 'The item, hall or case the request is about was not found',
  },
  'RATINGS.ALREADY_ANSWERED': {
    status: 409,
    zh: '该诉求已答复',
    en: 'This request has already been answered',
  },
  'RATINGS.NOT_ANSWERED': {
    status: 409,
    zh: '诉求尚未答复，暂不能评价答复',
    en: 'The request has not been answered yet',
  },
  'RATINGS.TICKET_CONFLICT': {
    status: 409,
    zh: '该工单号已用于另一内容的诉求',
    en: 'This ticket number was already used for a different request',
  },
});
