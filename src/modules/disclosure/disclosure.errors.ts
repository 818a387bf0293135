import { defineErrors } from '../../kernel/index.js';

export const DisclosureErrors = defineErrors({
  'DISCLOSURE.NOT_FOUND': { status: 404, zh: '未找到该公开信息', en: 'No such published information' },
  'DISCLOSURE.PLACE_UNKNOWN': {
    status: 404,
    zh: '没有找到该行政区划的位置，请选择列表中的地区或输入经纬度',
    en: 'No position is known for that division; choose one from the list or give a latitude and longitude',
  },
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
  'DISCLOSURE.REQUEST_NOT_FOUND': {
    status: 404,
    zh: '未找到该政府信息公开申请',
    en: 'No such request for government information',
  },
  'DISCLOSURE.REQUEST_INVALID': {
    status: 400,
    zh: '申请内容不完整或格式不正确',
    en: 'The request is incomplete or malformed',
  },
  'DISCLOSURE.UNKNOWN_BODY': {
    status: 400,
    zh: '没有这个行政机关，请从列表中选择受理申请的机关',
    en: 'No such public body: choose the body from the list',
  },
  'DISCLOSURE.RECEIVED_ON_INVALID': {
    status: 400,
    zh: '收到申请的日期不正确：邮寄申请填写签收日期，且不能晚于今天',
    en: 'The date of receipt is wrong: a posted request needs the day it was signed for, not after today',
  },
  'DISCLOSURE.ATTACHMENT_TOO_LARGE': {
    status: 413,
    zh: '附件过大，每个附件不超过 5 MB',
    en: 'An attachment is too large: at most 5 MB each',
  },
  'DISCLOSURE.ATTACHMENT_TYPE': {
    status: 415,
    zh: '附件须为 PDF、PNG 或 JPEG 文件（按文件内容识别）',
    en: 'Attachments must be PDF, PNG or JPEG files (judged by their content)',
  },
  'DISCLOSURE.ACTION_NOT_ALLOWED': {
    status: 409,
    zh: '该申请当前不能进行此操作',
    en: 'This step cannot be taken on the request now',
  },
  'DISCLOSURE.FILE_NOT_FOUND': { status: 404, zh: '未找到该附件', en: 'No such attachment' },
});
