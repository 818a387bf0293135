import { defineErrors } from '../../kernel/index.js';

/** The calendar's coded errors: every bad input is a 4xx the caller can read, never a 500. */
export const CalendarErrors = defineErrors({
  'CALENDAR.BAD_DATE': {
    status: 400,
    zh: '日期 {value} 无效：请使用 YYYY-MM-DD 格式，且在 2000-01-01 至 2099-12-31 之间',
    en: 'The date {value} is invalid: use YYYY-MM-DD between 2000-01-01 and 2099-12-31',
  },
  'CALENDAR.BAD_REGION': {
    status: 400,
    zh: '行政区划代码 {value} 无效：应为 2 至 12 位数字',
    en: 'The region code {value} is invalid: it must be 2 to 12 digits',
  },
  'CALENDAR.BAD_WORKING_DAYS': {
    status: 400,
    zh: '工作日数应为 0 至 {max} 之间的整数',
    en: 'The number of working days must be a whole number from 0 to {max}',
  },
  'CALENDAR.OUT_OF_RANGE': {
    status: 400,
    zh: '计算结果超出日历支持的范围（2000 年至 2099 年）',
    en: 'The result falls outside the years the calendar covers (2000 to 2099)',
  },
  'CALENDAR.DUPLICATE_DATE': {
    status: 400,
    zh: '日期 {value} 在本次提交中重复出现',
    en: 'The date {value} appears more than once in this request',
  },
  'CALENDAR.DAY_NOT_FOUND': {
    status: 404,
    zh: '该地区的日历中没有这些日期的设置',
    en: 'None of these dates is set in this region’s calendar',
  },
  'CALENDAR.NOT_LOADED': {
    status: 503,
    zh: '工作日日历尚未加载，请稍后再试',
    en: 'The working-day calendar is not loaded yet; please try again shortly',
  },
});
