import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pickLang } from './i18n.js';

describe('language of a request', () => {
  test('zh-CN by default', () => assert.equal(pickLang({}), 'zh-CN'));
  test('an explicit choice wins over Accept-Language', () =>
    assert.equal(pickLang({ query: 'en', acceptLanguage: 'zh-CN,zh;q=0.9' }), 'en'));
  test('Accept-Language by quality', () => {
    assert.equal(pickLang({ acceptLanguage: 'fr;q=1, en-GB;q=0.8, zh;q=0.5' }), 'en');
    assert.equal(pickLang({ acceptLanguage: 'zh-TW,en;q=0.1' }), 'zh-CN');
  });
  test('an unknown value falls back', () => assert.equal(pickLang({ query: 'de', cookie: 'xx' }), 'zh-CN'));
});
