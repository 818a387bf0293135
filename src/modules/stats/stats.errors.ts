import { defineErrors } from '../../kernel/index.js';

export const StatsErrors = defineErrors({
  'STATS.PERIOD_INVALID': {
    status: 400,
    zh: '统计期间不正确：起始月份不能晚于截止月份，且最长 36 个月',
    en: 'The period is not valid: it must start no later than it ends and span at most 36 months',
  },
  'STATS.DEPARTMENT_UNKNOWN': {
    status: 400,
    zh: '所选部门不存在，或不属于所选地区',
    en: 'The department does not exist or is not in the chosen region',
  },
});
