import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bundleMaterialCode, mergeBundle } from './cases.application.js';
import { formSchemaOf } from './cases.forms.js';
import type { ApplicableItem, ApplicationMaterial, FormFieldHint } from './cases.ports.js';
import { fakeItem } from './cases.testkit.js';

const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');

function member(
  implementationCode: string,
  formFields: FormFieldHint[],
  materials: ApplicationMaterial[],
): ApplicableItem {
  return fakeItem({ implementationCode, formFields, formSchema: formSchemaOf(formFields), materials });
}

const field = (name: string, required: boolean, section?: string): FormFieldHint => ({
  name,
  label: name,
  type: 'string',
  required,
  ...(section ? { section } : {}),
});

// two members: a birth certificate and a social-security card, as 新生儿出生一件事 joins them
const certificate = member(
  'A'.repeat(32),
  [field('babyName', true, 'newborn'), field('deliveryMethod', true, 'delivery'), field('phone', false)],
  [
    { code: 'm01-id', name: '父母身份证', required: true, source: 'government', licenceType: '居民身份证' },
    { code: 'm02-doc', name: '住院分娩记录', required: true, source: 'applicant' },
    { code: 'm03-edu', name: '学历证明', required: false, source: 'government', sharedData: '学历信息' },
  ],
);
const card = member(
  'B'.repeat(32),
  [field('phone', true, 'applicant'), field('babyName', false, 'newborn'), field('bank', false)],
  [
    { code: 'm01-id', name: '父母身份证', required: false, source: 'government', sharedData: '人口信息' },
    { code: 'm02-doc', name: '免冠照片', required: true, source: 'applicant' },
    { code: 'm09-edu', name: '学历证明', required: true, source: 'applicant' },
  ],
);

describe('一件事 › one form and one material set from the members (mergeBundle)', () => {
  test('a question several members ask is asked once, and required when any member requires it', () => {
    const { formFields } = mergeBundle([certificate, card]);
    assert.deepEqual(
      formFields.map((f) => f.name).sort(),
      ['babyName', 'bank', 'deliveryMethod', 'phone'].sort(),
    );
    const byName = Object.fromEntries(formFields.map((f) => [f.name, f]));
    assert.equal(byName.phone?.required, true, 'optional in one member, required in the other');
    assert.equal(byName.babyName?.required, true);
    assert.equal(byName.bank?.required, false);
  });

  test("the applicant's questions come first and the way to receive the result last, as on an item's form", () => {
    const names = mergeBundle([certificate, card]).formFields.map((f) => f.name);
    // phone keeps the first member's hint (no section), so it ranks with the matter's questions
    assert.equal(names.at(-1), 'deliveryMethod');
    assert.deepEqual(mergeBundle([card, certificate]).formFields[0]?.name, 'phone');
  });

  test("one document by name, under a code taken from its name, whatever the members' order", () => {
    const a = mergeBundle([certificate, card]).materials;
    const b = mergeBundle([card, certificate]).materials;
    const codes = (ms: readonly ApplicationMaterial[]) => Object.fromEntries(ms.map((m) => [m.name, m.code]));
    assert.deepEqual(codes(a), codes(b));
    assert.deepEqual(
      Object.keys(codes(a)).sort(),
      ['住院分娩记录', '免冠照片', '学历证明', '父母身份证'].sort(),
    );
    // m02-doc is two documents in the two members: two codes, neither of them m02-doc
    assert.notEqual(codes(a).住院分娩记录, codes(a).免冠照片);
    for (const m of a) assert.equal(m.code, bundleMaterialCode(m.name));
  });

  test('a document is asked of the applicant when any member asks it, read from shared data only when every member does', () => {
    const byName = Object.fromEntries(mergeBundle([certificate, card]).materials.map((m) => [m.name, m]));
    // 学历证明: shared data for one, an upload for the other → asked, and required
    assert.equal(byName.学历证明?.source, 'applicant');
    assert.equal(byName.学历证明?.sharedData, undefined);
    assert.equal(byName.学历证明?.required, true);
    // 父母身份证: government-held in both; one accepts an e-licence, which is offered
    assert.equal(byName.父母身份证?.source, 'government');
    assert.equal(byName.父母身份证?.licenceType, '居民身份证');
    assert.equal(byName.父母身份证?.required, true);
    // a document only one member reads from shared data stays so
    const alone = mergeBundle([certificate]).materials.find((m) => m.name === '学历证明');
    assert.equal(alone?.sharedData, '学历信息');
  });

  test('each member gets back its share of the files and e-licences under its own codes', () => {
    const merged = mergeBundle([certificate, card]);
    const code = (name: string) => merged.materials.find((m) => m.name === name)!.code;
    const shares = merged.members(
      [
        { code: code('免冠照片'), filename: 'photo.pdf', data: PDF },
        { code: code('学历证明'), filename: 'edu.pdf', data: PDF },
      ],
      { [code('父母身份证')]: 'licence-1' },
    );
    const of = (c: string) => shares.find((s) => s.implementationCode === c)!;
    assert.deepEqual(
      of(certificate.implementationCode).files.map((f) => [f.code, f.filename]),
      [['m03-edu', 'edu.pdf']],
    );
    assert.deepEqual(
      of(card.implementationCode)
        .files.map((f) => [f.code, f.filename])
        .sort(),
      [
        ['m02-doc', 'photo.pdf'],
        ['m09-edu', 'edu.pdf'],
      ],
    );
    assert.deepEqual(of(certificate.implementationCode).licences, { 'm01-id': 'licence-1' });
    assert.deepEqual(of(card.implementationCode).licences, { 'm01-id': 'licence-1' });
  });

  test("validate checks each member's schema over its own fields, one problem per field", () => {
    const { validate } = mergeBundle([certificate, card]);
    const issues = validate({ bank: '工商银行' });
    assert.deepEqual(issues.map((i) => i.field).sort(), ['babyName', 'deliveryMethod', 'phone']);
    // a field one member does not know is not an additional property for it
    assert.deepEqual(
      validate({ babyName: '张小宝', deliveryMethod: '邮寄', phone: '13800000000', bank: 'x' }),
      [],
    );
  });
});
