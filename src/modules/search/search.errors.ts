import { defineErrors } from '../../kernel/index.js';
import { MAX_QUERY_CHARS } from './search.types.js';

export const SearchErrors = defineErrors({
  'SEARCH.QUERY_EMPTY': { status: 400, zh: '请输入要搜索的内容', en: 'Enter something to search for' },
  'SEARCH.QUERY_TOO_LONG': {
    status: 400,
    zh: `搜索内容不能超过${MAX_QUERY_CHARS}个字`,
    en: `A search can be at most ${MAX_QUERY_CHARS} characters long`,
  },
});
