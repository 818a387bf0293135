import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkUpload, formSteps, issuesOfStep, sniffType } from './cases.forms.js';
import type { FormFieldHint } from './cases.ports.js';

const f = (name: string, section: string, extra: Partial<FormFieldHint> = {}): FormFieldHint => ({
  name,
  label: name,
  type: 'string',
  required: true,
  section,
  ...extra,
});

describe('apply steps (one question per page where it helps)', () => {
  const fields = [
    f('applicantName', 'applicant'),
    f('mobile', 'applicant'),
    f('operatorType', 'item', { type: 'enum', options: ['a', 'b'] }),
    f('premisesAddress', 'item', { page: 'premises' }),
    f('operatingItems', 'item'),
    f('premisesArea', 'item', { type: 'number', page: 'premises' }),
    f('deliveryMethod', 'delivery'),
  ];

  test('the applicant’s details on one page, each matter question alone, grouped ones together, then delivery and materials', () => {
    const steps = formSteps(fields, true);
    assert.deepEqual(
      steps.map((s) => [s.id, s.fields.map((x) => x.name)]),
      [
        ['applicant', ['applicantName', 'mobile']],
        ['q-operatorType', ['operatorType']],
        // a page appears where its first question is, and gathers the later ones
        ['p-premises', ['premisesAddress', 'premisesArea']],
        ['q-operatingItems', ['operatingItems']],
        ['delivery', ['deliveryMethod']],
        ['materials', []],
      ],
    );
  });

  test('no materials page when the item asks for none; every field is on exactly one page', () => {
    const steps = formSteps(fields, false);
    assert.ok(!steps.some((s) => s.kind === 'materials'));
    const names = steps.flatMap((s) => s.fields.map((x) => x.name)).sort();
    assert.deepEqual(names, fields.map((x) => x.name).sort());
  });

  test('a step shows only its own problems', () => {
    const step = formSteps(fields, true).find((s) => s.id === 'p-premises')!;
    const issues = [
      { field: 'premisesArea', rule: 'SCHEMA.TYPE' },
      { field: 'operatorType', rule: 'SCHEMA.REQUIRED' },
    ];
    assert.deepEqual(issuesOfStep(step, issues), [{ field: 'premisesArea', rule: 'SCHEMA.TYPE' }]);
  });
});

describe('uploads are judged by content', () => {
  const pdf = Buffer.from('%PDF-1.7\n');
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]);
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0]);

  test('magic bytes name the type; anything else is not a material', () => {
    assert.equal(sniffType(pdf), 'application/pdf');
    assert.equal(sniffType(png), 'image/png');
    assert.equal(sniffType(jpeg), 'image/jpeg');
    assert.equal(sniffType(Buffer.from('MZ\x90\x00')), undefined);
    assert.equal(sniffType(Buffer.alloc(0)), undefined);
  });

  test('a declared type that differs from the content, or a size over the limit, is refused', () => {
    const ok = checkUpload({ code: 'm1', name: 'a.pdf', data: pdf, declaredType: 'application/pdf' }, 100);
    assert.ok(ok.ok);
    const label = checkUpload({ code: 'm1', name: 'a.pdf', data: png, declaredType: 'application/pdf' }, 100);
    assert.deepEqual(label, { ok: false, error: { problem: 'label', name: 'a.pdf' } });
    const big = checkUpload({ code: 'm1', name: 'a.pdf', data: pdf }, 4);
    assert.deepEqual(big, { ok: false, error: { problem: 'tooLarge', name: 'a.pdf', maxBytes: 4 } });
    // a declaration that says nothing specific is no claim; old JPEG names are JPEG
    assert.ok(
      checkUpload({ code: 'm1', name: 'a', data: pdf, declaredType: 'application/octet-stream' }, 100).ok,
    );
    assert.ok(checkUpload({ code: 'm1', name: 'a', data: jpeg, declaredType: 'image/pjpeg' }, 100).ok);
    // the file name never decides: an executable named .pdf is not a PDF
    const exe = checkUpload({ code: 'm1', name: 'scan.pdf', data: Buffer.from('MZ\x90\x00') }, 100);
    assert.deepEqual(exe, { ok: false, error: { problem: 'type', name: 'scan.pdf' } });
  });
});
