import type { Messages } from '../../platform/i18n/index.js';

const zh: Messages = {
  'ratings.nav': '好差评',
  'ratings.sms.subject': '办件 {caseNumber} 服务评价',
  'ratings.sms.body.accepted': '您的办件 {caseNumber} 已受理，请对本次服务进行评价（一次有效）：{url}',
  'ratings.sms.body.completed': '您的办件 {caseNumber} 已办结，请对本次服务进行评价（一次有效）：{url}',
};

const en: Messages = {
  'ratings.nav': 'Rate a service',
  'ratings.sms.subject': 'Rate the service on case {caseNumber}',
  'ratings.sms.body.accepted': 'Your case {caseNumber} was accepted. Rate the service (one use): {url}',
  'ratings.sms.body.completed': 'Your case {caseNumber} is complete. Rate the service (one use): {url}',
};

export const ratingsMessages = { 'zh-CN': zh, en };
