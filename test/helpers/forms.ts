import assert from 'node:assert/strict';
import type { TongbanApp } from '../../src/app.js';

/** A valid answer for every field of an item's published form schema (fields with other patterns left out). */
export async function validForm(t: TongbanApp, code: string): Promise<Record<string, unknown>> {
  const it = await t.catalog.getPublishedItem(code);
  assert.ok(it, code);
  const props = it.form.schema.properties as Record<
    string,
    { type: string; enum?: string[]; pattern?: string; format?: string }
  >;
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) {
    if (p.enum) out[k] = p.enum[0];
    else if (p.type === 'integer' || p.type === 'number') out[k] = 2;
    else if (p.type === 'boolean') out[k] = true;
    else if (p.format === 'date') out[k] = '2025-06-01';
    else if (p.pattern?.includes('1\\d{10}')) out[k] = '13800138000';
    else if (p.pattern?.includes('\\d{17}')) out[k] = '410105199001011234';
    else if (p.pattern) continue;
    else out[k] = '测试内容';
  }
  return out;
}
