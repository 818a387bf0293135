import { randomUUID } from 'node:crypto';
import type { FieldIssue } from '../../kernel/index.js';
import {
  BackLink,
  Button,
  CsrfField,
  ErrorSummary,
  FileField,
  Notice,
  PageHeading,
  RadioGroup,
  SelectField,
  SummaryList,
  type SummaryRow,
  Tag,
  TextArea,
  TextField,
  type ViewContext,
  fieldId,
} from '../../platform/views/index.js';
import { type FormStep, sharedOnly } from './cases.forms.js';
import type { ApplicationMaterial, FormFieldHint, UsableLicence } from './cases.ports.js';
import type { DraftFile } from './cases.service.js';

/**
 * The apply journey's pages: one page per step (the applicant's details together, then each
 * question about the matter on its own unless the form groups them), the materials page
 * (uploads and e-licences), and "check your answers". Every page works without JavaScript.
 */

/**
 * A form's own request id, new with each page rendered: posting the same page twice (a second
 * click, a browser re-posting it) is one request, answered once (cases.requests.ts).
 */
export function RequestIdField() {
  return <input type="hidden" name="requestId" value={randomUUID()} />;
}

type Issues = ReadonlyArray<FieldIssue & { message: string; href?: string | undefined }>;

export interface JourneyBase {
  /** where the journey's pages are: `/items/{code}/apply` or `/bundles/{code}/apply` */
  base: string;
  /** the guide the journey starts from (the back link of its first page) */
  guide: string;
  itemName: string;
  steps: readonly FormStep[];
  /** the step shown */
  index: number;
  issues: Issues;
  /** came from "check your answers": go back there after this step */
  returnToCheck: boolean;
}

export interface StepModel extends JourneyBase {
  values: Record<string, string>;
  /** walk-in: the hall and the applicant the clerk enters it for */
  walkIn?: { hallId: string; applicantId: string } | undefined;
  /** the applicant's details came from the account */
  prefilled: boolean;
  /** the applicant's own real-name level is below what the item needs: said before they start */
  realNameShort?: { kind: 'person' | 'organization'; required: number; current: number } | undefined;
  /** the applicant is an organisation not verified yet: it may draft, not submit */
  organizationUnverified?: boolean | undefined;
  /** 帮办代办: applying for this person (masked) under this 委托 */
  assisted?: { name: string; delegationId: string } | undefined;
}

export interface MaterialsModel extends JourneyBase {
  materials: readonly ApplicationMaterial[];
  files: readonly DraftFile[];
  /** e-licences the applicant may use, by material code */
  licences: Readonly<Record<string, readonly UsableLicence[]>>;
  /** the e-licence chosen for a material (by code), '' or absent: upload */
  chosen: Readonly<Record<string, string>>;
  maxMb: number;
}

export const stepHref = (base: string, id: string, returnToCheck = false) =>
  `${base}/${id}${returnToCheck ? '?change=1' : ''}`;

/** The previous page: the step before, or the item's guide from the first step. */
function backOf(m: JourneyBase): string {
  if (m.returnToCheck) return `${m.base}/check`;
  const prev = m.steps[m.index - 1];
  return prev ? stepHref(m.base, prev.id) : m.guide;
}

function stepCaption(ctx: ViewContext, m: JourneyBase): string {
  return `${ctx.t('cases.apply.stepOf', { n: m.index + 1, total: m.steps.length + 1 })} · ${m.itemName}`;
}

/** The input for one question; `heading`: the page asks only this, so its label is the h1. */
export function Question({
  ctx,
  f,
  value,
  error,
  heading = false,
}: {
  ctx: ViewContext;
  f: FormFieldHint;
  value: string;
  error: string | undefined;
  heading?: boolean;
}) {
  const label = f.required ? f.label : `${f.label}${ctx.t('common.optional')}`;
  const hint = f.hint;
  if (f.type === 'enum') {
    const options = (f.options ?? []).map((o) => ({ value: o, label: o }));
    // a few options read best as radios (all visible at once); a long list as a select
    if (f.widget === 'radio' || (f.widget !== 'select' && options.length <= 4))
      return (
        <RadioGroup
          name={f.name}
          legend={label}
          options={options}
          value={value}
          error={error}
          heading={heading}
          {...(hint ? { hint } : {})}
        />
      );
    return (
      <SelectField
        name={f.name}
        label={label}
        value={value}
        error={error}
        heading={heading}
        options={[{ value: '', label: ctx.t('cases.apply.choose') }, ...options]}
        {...(hint ? { hint } : {})}
      />
    );
  }
  if (f.widget === 'textarea')
    return (
      <TextArea
        name={f.name}
        label={label}
        value={value}
        error={error}
        required={f.required}
        heading={heading}
        {...(hint ? { hint } : {})}
      />
    );
  return (
    <TextField
      name={f.name}
      label={label}
      hint={hint}
      value={value}
      error={error}
      heading={heading}
      type={f.type === 'date' ? 'date' : f.type === 'number' || f.type === 'integer' ? 'number' : 'text'}
      inputmode={f.type === 'number' || f.type === 'integer' ? 'numeric' : undefined}
      width={f.type === 'date' || f.type === 'number' || f.type === 'integer' ? 'medium' : 'full'}
      required={f.required}
    />
  );
}

/** The heading of a step that asks several things (or the applicant's details). */
function stepTitle(ctx: ViewContext, step: FormStep): string {
  if (step.kind === 'applicant') return ctx.t('cases.apply.applicantTitle');
  if (step.kind === 'delivery') return ctx.t('cases.apply.deliveryTitle');
  return step.fields.map((f) => f.label).join('、');
}

/** What the applicant must do first: verify online or in person (an organisation: in person). */
function realNameNotice(s: NonNullable<StepModel['realNameShort']>): string {
  if (s.kind === 'organization') return 'cases.apply.orgInPerson';
  return s.required >= 3 ? 'cases.apply.realNameInPerson' : 'cases.apply.realNameOnline';
}

export function StepPage({ ctx, m }: { ctx: ViewContext; m: StepModel }) {
  const t = ctx.t;
  const step = m.steps[m.index]!;
  const err = (name: string) => m.issues.find((i) => i.field === name)?.message;
  // one question on the page: its label is the page heading
  const single = step.kind !== 'applicant' && step.fields.length === 1 ? step.fields[0] : undefined;
  return (
    <>
      <BackLink href={backOf(m)}>{t('cases.apply.back')}</BackLink>
      <ErrorSummary ctx={ctx} issues={m.issues} />
      {single ? <span class="caption step-caption">{stepCaption(ctx, m)}</span> : null}
      {single ? null : <PageHeading caption={stepCaption(ctx, m)}>{stepTitle(ctx, step)}</PageHeading>}
      {step.kind === 'applicant' && m.realNameShort ? (
        <Notice kind="warning">
          {t(realNameNotice(m.realNameShort), { current: m.realNameShort.current })}{' '}
          <a href="/account">{t('cases.apply.realNameLink')}</a>
        </Notice>
      ) : null}
      {step.kind === 'applicant' && m.organizationUnverified ? (
        <Notice kind="warning">
          {t('cases.apply.organizationUnverified')} <a href="/account">{t('cases.apply.realNameLink')}</a>
        </Notice>
      ) : null}
      {step.kind === 'applicant' && m.prefilled ? <Notice>{t('cases.apply.prefilled')}</Notice> : null}
      {step.fields.some((f) => m.values[`prefill.src.${f.name}`]) ? (
        <Notice>
          {t('cases.apply.fromRegister')}{' '}
          <a href="/account/data-access">{t('cases.apply.fromRegisterLink')}</a>
        </Notice>
      ) : null}
      {m.assisted ? <Notice>{t('cases.apply.assistedFor', m.assisted)}</Notice> : null}
      <form
        method="post"
        action={`${m.base}/${step.id}`}
        data-autosave={`${m.base}/${step.id}/draft`}
        novalidate
      >
        <CsrfField ctx={ctx} />
        {m.returnToCheck ? <input type="hidden" name="returnTo" value="check" /> : null}
        {step.kind === 'applicant' && m.walkIn ? (
          <>
            <TextField
              name="hallId"
              label={t('cases.apply.hallId')}
              value={m.walkIn.hallId}
              error={err('hallId')}
              required
            />
            <TextField
              name="applicantId"
              label={t('cases.apply.applicantId')}
              value={m.walkIn.applicantId}
              error={err('applicantId')}
              required
            />
          </>
        ) : null}
        {step.kind === 'applicant' ? (
          <TextField
            name="regionCode"
            label={t('cases.apply.regionCode')}
            hint={t('cases.apply.regionHint')}
            value={m.values.regionCode ?? ''}
            error={err('regionCode')}
            inputmode="numeric"
            width="medium"
            required
          />
        ) : null}
        {step.fields.map((f) => (
          <Question
            ctx={ctx}
            f={fromRegister(ctx, f, m.values)}
            value={m.values[f.name] ?? ''}
            error={err(f.name)}
            heading={single !== undefined}
          />
        ))}
        <p class="field-hint">{t('cases.apply.autosave')}</p>
        <p class="field-hint" aria-live="polite" data-autosave-status={t('cases.apply.autosaved')} />
        <Button>{t('cases.apply.continue')}</Button>
      </form>
    </>
  );
}

/**
 * A question whose answer was read from a register says so in its hint ("from the population
 * register — confirm"): the applicant confirms it as it is, or corrects it (the clerk is told).
 */
function fromRegister(ctx: ViewContext, f: FormFieldHint, values: Record<string, string>): FormFieldHint {
  const src = values[`prefill.src.${f.name}`];
  if (!src) return f;
  const said = ctx.t(`cases.apply.fromRegister.${src === 'legalPersons' ? 'legalPersons' : 'population'}`);
  return { ...f, hint: f.hint ? `${said} ${f.hint}` : said };
}

const kb = (n: number) => Math.max(1, Math.ceil(n / 1024));

function licenceLabel(ctx: ViewContext, l: UsableLicence): string {
  const base = `${l.typeName} · ${l.licenceNumber} · ${l.issuerName}`;
  return l.validTo ? `${base} · ${ctx.t('cases.apply.material.validTo', { date: l.validTo })}` : base;
}

export function MaterialsPage({ ctx, m }: { ctx: ViewContext; m: MaterialsModel }) {
  const t = ctx.t;
  const err = (field: string) => m.issues.find((i) => i.field === field)?.message;
  return (
    <>
      <BackLink href={backOf(m)}>{t('cases.apply.back')}</BackLink>
      <ErrorSummary ctx={ctx} issues={m.issues} />
      <PageHeading caption={stepCaption(ctx, m)}>{t('cases.apply.materialsTitle')}</PageHeading>
      <p>{t('cases.apply.materialsLead', { maxMb: m.maxMb })}</p>
      <form method="post" action={`${m.base}/materials`} enctype="multipart/form-data" novalidate>
        <CsrfField ctx={ctx} />
        {m.returnToCheck ? <input type="hidden" name="returnTo" value="check" /> : null}
        {m.materials.map((mat) => {
          const kept = m.files.find((f) => f.materialCode === mat.code);
          const offered = m.licences[mat.code] ?? [];
          const headingId = `mat-${mat.code}`;
          return (
            <section class="material" aria-labelledby={headingId}>
              <h2 id={headingId} class="material-name">
                {mat.name}{' '}
                <Tag colour={mat.required ? 'blue' : 'grey'}>
                  {t(mat.required ? 'cases.apply.material.required' : 'cases.apply.material.optional')}
                </Tag>
              </h2>
              {mat.requiredWhen ? <p class="field-hint">{mat.requiredWhen}</p> : null}
              {sharedOnly(mat) ? (
                <p>{t('cases.apply.material.shared', { source: mat.sharedData ?? '' })}</p>
              ) : (
                <>
                  {offered.length ? (
                    <RadioGroup
                      name={`licence.${mat.code}`}
                      legend={t('cases.apply.material.useLicence')}
                      value={m.chosen[mat.code] ?? ''}
                      error={err(`licence.${mat.code}`)}
                      options={[
                        ...offered.map((l) => ({ value: l.identifier, label: licenceLabel(ctx, l) })),
                        { value: '', label: t('cases.apply.material.uploadInstead') },
                      ]}
                    />
                  ) : null}
                  {kept ? (
                    <div class="field">
                      <p>
                        {t('cases.apply.material.kept', {
                          name: kept.filename,
                          type: kept.mediaType,
                          kb: kb(kept.size),
                        })}
                      </p>
                      <div class="checkbox">
                        <input
                          type="checkbox"
                          id={fieldId(`remove.${mat.code}`)}
                          name={`remove.${mat.code}`}
                          value="1"
                        />
                        <label for={fieldId(`remove.${mat.code}`)}>
                          {t('cases.apply.material.remove')}
                          <span class="visually-hidden"> {mat.name}</span>
                        </label>
                      </div>
                    </div>
                  ) : null}
                  <FileField
                    name={`file.${mat.code}`}
                    label={`${t(kept ? 'cases.apply.material.replace' : 'cases.apply.material.file')}：${mat.name}`}
                    hint={t('cases.apply.material.fileHint', { maxMb: m.maxMb })}
                    error={err(`file.${mat.code}`)}
                    accept="application/pdf,image/png,image/jpeg"
                  />
                </>
              )}
            </section>
          );
        })}
        <p class="field-hint">{t('cases.apply.autosave')}</p>
        <Button>{t('cases.apply.continue')}</Button>
      </form>
    </>
  );
}

export interface CheckModel {
  base: string;
  itemName: string;
  steps: readonly FormStep[];
  values: Record<string, string>;
  walkIn?: { hallId: string; applicantId: string } | undefined;
  /** 帮办代办: applying for this person (masked) under this 委托 */
  assisted?: { name: string; delegationId: string } | undefined;
  materials: readonly ApplicationMaterial[];
  files: readonly DraftFile[];
  /** material code → e-licence identifier chosen */
  chosen: Readonly<Record<string, string>>;
  issues: Issues;
}

export function CheckPage({ ctx, m }: { ctx: ViewContext; m: CheckModel }) {
  const t = ctx.t;
  const change = (id: string) => ({ href: stepHref(m.base, id, true), label: t('cases.apply.change') });
  const answerRows: SummaryRow[] = [];
  for (const s of m.steps) {
    if (s.kind === 'materials') continue;
    if (s.kind === 'applicant') {
      if (m.assisted)
        answerRows.push({
          key: t('cases.apply.onBehalfOf'),
          value: `${m.assisted.name}（${m.assisted.delegationId}）`,
          // another person or 委托: start again from the list of those who delegated
          change: { href: '/cases/assisted/apply', label: t('cases.apply.change') },
        });
      if (m.walkIn) {
        answerRows.push({ key: t('cases.apply.hallId'), value: m.walkIn.hallId, change: change(s.id) });
        answerRows.push({
          key: t('cases.apply.applicantId'),
          value: m.walkIn.applicantId,
          change: change(s.id),
        });
      }
      answerRows.push({
        key: t('cases.apply.regionCode'),
        value: m.values.regionCode ?? '',
        change: change(s.id),
      });
    }
    for (const f of s.fields)
      answerRows.push({ key: f.label, value: m.values[f.name] || '—', change: change(s.id) });
  }
  const materialRows: SummaryRow[] = m.materials.map((mat) => {
    const kept = m.files.find((f) => f.materialCode === mat.code);
    const lic = m.chosen[mat.code];
    const value = sharedOnly(mat)
      ? t('cases.apply.material.sharedShort')
      : lic
        ? t('cases.apply.material.byLicence', { identifier: lic })
        : kept
          ? t('cases.apply.material.kept', { name: kept.filename, type: kept.mediaType, kb: kb(kept.size) })
          : t('cases.apply.material.none');
    return { key: mat.name, value, change: sharedOnly(mat) ? undefined : change('materials') };
  });
  return (
    <>
      <BackLink href={stepHref(m.base, m.steps[m.steps.length - 1]?.id ?? 'applicant')}>
        {t('cases.apply.back')}
      </BackLink>
      <ErrorSummary ctx={ctx} issues={m.issues} />
      <PageHeading caption={m.itemName}>{t('cases.title.check')}</PageHeading>
      <Notice>{t('cases.apply.draftSaved')}</Notice>
      <h2>{t('cases.apply.answersSection')}</h2>
      <SummaryList rows={answerRows} />
      {materialRows.length ? (
        <>
          <h2>{t('cases.materials.heading')}</h2>
          <SummaryList rows={materialRows} />
        </>
      ) : null}
      <p>{t('cases.apply.check')}</p>
      <form method="post" action={`${m.base}/confirm`}>
        <CsrfField ctx={ctx} />
        <RequestIdField />
        <Button>{t('cases.apply.confirm')}</Button>
      </form>
    </>
  );
}

/**
 * 补正: the one-time notice's list, and an upload for each material of the item (a citizen's, or
 * a clerk's at the window for a citizen who brought the papers).
 */
export function SupplementForm({
  ctx,
  postTo,
  missing,
  materials,
  maxMb,
  issues,
}: {
  ctx: ViewContext;
  postTo: string;
  missing: readonly string[];
  materials: readonly ApplicationMaterial[];
  maxMb: number;
  issues: Issues;
}) {
  const t = ctx.t;
  const err = (field: string) => issues.find((i) => i.field === field)?.message;
  return (
    <section aria-labelledby="supplement-h" class="supplement">
      <h2 id="supplement-h">{t('cases.supplement.heading')}</h2>
      <ErrorSummary ctx={ctx} issues={issues} />
      {missing.length ? (
        <>
          <p>{t('cases.supplement.lead')}</p>
          <ul>
            {missing.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
        </>
      ) : null}
      <form method="post" action={postTo} enctype="multipart/form-data" novalidate>
        <CsrfField ctx={ctx} />
        <RequestIdField />
        <input type="hidden" name="action" value="supplement" />
        {materials
          .filter((mat) => !sharedOnly(mat))
          .map((mat) => (
            <FileField
              name={`file.${mat.code}`}
              label={mat.name}
              hint={t('cases.apply.material.fileHint', { maxMb })}
              error={err(`file.${mat.code}`)}
              accept="application/pdf,image/png,image/jpeg"
            />
          ))}
        <TextArea
          name="supplement.note"
          label={`${t('cases.supplement.note')}${t('common.optional')}`}
          rows={3}
        />
        <Button>{t('cases.action.supplement')}</Button>
      </form>
    </section>
  );
}
