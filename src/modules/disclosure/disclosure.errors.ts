import { defineErrors } from '../../kernel/index.js';

export const DisclosureErrors = defineErrors({
  'DISCLOSURE.NOT_FOUND': { status: 404, zh: '未找到该公开信息', en: 'No such published information' },
  'DISCLOSURE.CONVENIENCE_NOT_FOUND': {
    status: 404,
    zh: '未找到该便民信息',
    en: 'No such convenience information',
  },
  'DISCLOSURE.INVALID': {
    status: 400,
    zh: '公开信息的内容不完整或格式不正确',
    en: 'The publication is incomplete or malformed',
  },
});
