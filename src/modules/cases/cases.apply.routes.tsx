import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type FieldIssue, isDomainError } from '../../kernel/index.js';
import {
  type App,
  UPLOAD_FILE_BYTES,
  formBody,
  requirePrincipal,
  uploadedFiles,
} from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import {
  CheckPage,
  type CheckModel,
  MaterialsPage,
  type MaterialsModel,
  StepPage,
  type StepModel,
  stepHref,
} from './cases.apply.pages.js';
import {
  type FormStep,
  coerceFormValues,
  formSteps,
  issuesOfStep,
  missingMaterials as missingOf,
} from './cases.forms.js';
import { draftKeyOf, splitDraftKey } from './cases.application.js';
import {
  type Application,
  BUNDLE_KEY,
  type CasesService,
  type DraftFile,
  type RawUpload,
} from './cases.service.js';
import { REGION_CODE_RE } from '../../platform/codes/index.js';
import { holdsAnywhere } from './cases.access.js';

/**
 * The apply journey's routes, for an item (`/items/{code}/apply/…`) and for a 一件事 bundle
 * (`/bundles/{code}/apply/…`, one combined form and material set): one page per step, the
 * materials page, check your answers, submit. Every step saves the draft (answers, files,
 * e-licence choices) before it moves on, so an applicant can leave and come back; nothing is
 * submitted until "check your answers".
 */

const enc = encodeURIComponent;

export function applyRoutes(app: App, svc: CasesService): void {
  // an item's code never holds ':', the draft keys' separator (`bundle:<code>`, `for:<person>:<code>`):
  // refused as a malformed code, so the plain route cannot address a bundle's or a person's draft
  const ItemParams = z.object({
    code: z
      .string()
      .min(10)
      .max(40)
      .regex(/^[^:]+$/),
  });
  const stepId = z.string().regex(/^[a-z][a-zA-Z0-9_-]{0,45}$/);
  const StepParams = ItemParams.extend({ step: stepId });
  const BundleParams = z.object({ code: z.string().regex(/^[A-Z0-9-]{2,40}$/) });
  const BundleStepParams = BundleParams.extend({ step: stepId });
  const maxMb = Math.round(UPLOAD_FILE_BYTES / 1048576);

  async function journey(req: FastifyRequest, code: string, opts: { submitted?: boolean } = {}) {
    const it = await svc.application(code);
    if (!it)
      throw code.startsWith(BUNDLE_KEY)
        ? new DomainError('CASES.BUNDLE_NOT_FOUND', { params: { code: code.slice(BUNDLE_KEY.length) } })
        : new DomainError('CASES.ITEM_NOT_FOUND', { params: { code } });
    const p = requirePrincipal(req);
    const steps = formSteps(it.formFields, it.materials.length > 0);
    const saved = (await svc.loadDraft(p, code)) as Record<string, string> | undefined;
    // 帮办代办: a draft started for a person under their 委托 (/cases/assisted/apply), keyed by the
    // person (`/items/{code}/for/{person}/apply`); only startAssisted makes one, so a journey for a
    // person without it is refused (nothing prefilled, nothing written). Submit checks the 委托
    // again, so what the draft says is never trusted on its own
    const forWhom = splitDraftKey(code).onBehalfOf;
    // (the confirm post reads on without it: a re-post after the submission took the draft lands
    // where the first post did)
    if (forWhom && (saved ? saved.onBehalfOf !== forWhom : !opts.submitted))
      throw new DomainError('CASES.NOT_DELEGATED');
    // and only while the 委托 lives: a revoked or expired one (or a grid worker out of its grid)
    // closes the draft's pages and steps, as it refuses the submission
    if (forWhom && it.kind === 'item')
      await svc.delegatedAgent(p, forWhom, it.code).catch((e: unknown) => {
        // the draft's answers are not shown again; the agent chooses whom to apply for anew
        throw isDomainError(e) && (e.code === 'CASES.NOT_DELEGATED' || e.code === 'CASES.OUT_OF_SCOPE')
          ? new DomainError(e.code, { details: { next: '/cases/assisted/apply' } })
          : e;
      });
    const assisted =
      it.kind === 'item' && forWhom
        ? { name: saved?.onBehalfOfName ?? '', delegationId: saved?.delegationId ?? '' }
        : undefined;
    // a walk-in is entered by a window clerk for one item (bundles are the applicant's own)
    const clerk = !assisted && it.kind === 'item' && p.kind === 'staff' && holdsAnywhere(p, 'cases.accept');
    // the saved draft, or what the account and the registers prefill (name, ID number, phone,
    // region; name and address read through the deciding department's grant, recorded)
    const values = saved ?? (clerk || forWhom ? {} : await svc.prefillForm(p, code, it.formFields));
    const base =
      it.kind === 'bundle'
        ? `/bundles/${enc(it.code)}/apply`
        : forWhom
          ? `/items/${enc(it.code)}/for/${enc(forWhom)}/apply`
          : `/items/${enc(it.code)}/apply`;
    const guide = it.kind === 'bundle' ? `/bundles#bundle-${enc(it.code)}` : `/items/${enc(it.code)}`;
    return {
      code,
      it,
      p,
      steps,
      clerk,
      assisted,
      values,
      base,
      guide,
      /** whether a draft is saved (nothing to submit without one) */
      saved: saved !== undefined,
      prefilled: !saved && !clerk && Object.keys(values).length > 0,
      /** where the journey ends for this caller: the agent's list, the workbench, or their cases */
      home: assisted || (p.kind === 'staff' && !clerk) ? '/cases/assisted' : clerk ? '/workbench' : '/cases',
    };
  }
  type Journey = Awaited<ReturnType<typeof journey>>;

  const returnToCheck = (req: FastifyRequest) =>
    (req.query as Record<string, unknown> | undefined)?.change === '1' || formBody(req).returnTo === 'check';

  /** The e-licence chosen per material, as the draft keeps them (`licence.<code>`). */
  const chosenOf = (values: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(values)
        .filter(([k]) => k.startsWith('licence.'))
        .map(([k, v]) => [k.slice('licence.'.length), v]),
    );

  /** A step's page; `at`: the journey the handler already loaded, or the draft's key. */
  async function renderStep(
    req: FastifyRequest,
    reply: FastifyReply,
    at: Journey | string,
    stepId: string,
    opts: { values?: Record<string, string>; issues?: StepModel['issues']; status?: number } = {},
  ) {
    const ctx = req.view(reply);
    const j = typeof at === 'string' ? await journey(req, at) : at;
    const code = j.code;
    const index = j.steps.findIndex((s) => s.id === stepId);
    if (index < 0) throw new DomainError('COMMON.NOT_FOUND');
    const step = j.steps[index]!;
    const base = {
      base: j.base,
      guide: j.guide,
      itemName: j.it.name,
      steps: j.steps,
      index,
      issues: opts.issues ?? [],
      returnToCheck: returnToCheck(req),
    };
    const title = `${ctx.t('cases.title.apply', { item: j.it.name })}`;
    if (step.kind === 'materials') {
      // a clerk's or an agent's own wallet is not the applicant's: they bring papers, scanned
      const [files, licences] = await Promise.all([
        svc.draftFiles(j.p, code),
        j.clerk || j.assisted ? Promise.resolve({}) : svc.usableLicences(j.p, code),
      ]);
      const m: MaterialsModel = {
        ...base,
        materials: j.it.materials,
        files,
        licences,
        chosen: chosenOf(opts.values ?? j.values),
        maxMb,
      };
      return sendHtml(reply, renderPage(ctx, title, <MaterialsPage ctx={ctx} m={m} />), opts.status ?? 200);
    }
    const values = opts.values ?? j.values;
    const m: StepModel = {
      ...base,
      values,
      prefilled: j.prefilled,
      realNameShort: realNameShort(j),
      // an organisation drafts before it is verified, but submits only after (issue 11 item 1)
      organizationUnverified: !j.clerk && j.p.kind === 'organization' && j.p.realNameLevel < 2,
      assisted: j.assisted,
      walkIn:
        j.clerk || values.hallId !== undefined
          ? { hallId: values.hallId ?? '', applicantId: values.applicantId ?? '' }
          : undefined,
    };
    return sendHtml(reply, renderPage(ctx, title, <StepPage ctx={ctx} m={m} />), opts.status ?? 200);
  }

  /**
   * The applicant's own level below what the item needs, said before they start (an unverified
   * organisation has its own notice; a verified one falls short only of an item that needs L3);
   * a clerk's walk-in is checked at submit.
   */
  function realNameShort(j: Journey): StepModel['realNameShort'] {
    if (j.clerk || j.assisted || (j.p.kind !== 'person' && j.p.kind !== 'organization')) return undefined;
    if (j.p.kind === 'organization' && j.p.realNameLevel < 2) return undefined;
    return j.p.realNameLevel < j.it.realNameLevel
      ? { kind: j.p.kind, required: j.it.realNameLevel, current: j.p.realNameLevel }
      : undefined;
  }

  /** Where to go after a step: back to the check page, or the next step (or check after the last). */
  function nextOf(base: string, steps: readonly FormStep[], stepId: string, toCheck: boolean) {
    const i = steps.findIndex((s) => s.id === stepId);
    const next = steps[i + 1];
    return toCheck || !next ? `${base}/check` : stepHref(base, next.id);
  }

  const ForParams = ItemParams.extend({ person: z.string().uuid() });
  const ForStepParams = ForParams.extend({ step: stepId });
  type KeyParams = { code: string; person?: string };
  const kinds = [
    {
      prefix: '/items/:code/apply',
      keyOf: (q: KeyParams) => q.code,
      P: { item: ItemParams, step: StepParams },
    },
    {
      prefix: '/bundles/:code/apply',
      keyOf: (q: KeyParams) => `${BUNDLE_KEY}${q.code}`,
      P: { item: BundleParams, step: BundleStepParams },
    },
    // 帮办代办: the caller's draft of the item on behalf of a person (cases.assist startAssisted)
    {
      prefix: '/items/:code/for/:person/apply',
      keyOf: (q: KeyParams) => draftKeyOf(q.code, q.person ?? ''),
      P: { item: ForParams, step: ForStepParams },
    },
  ];
  /** The draft with this step's answers in place of what it had for the step's questions. */
  function mergeStep(
    j: Awaited<ReturnType<typeof journey>>,
    step: FormStep,
    body: Record<string, string>,
  ): Record<string, string> {
    const values: Record<string, string> = { ...j.values };
    const names = [
      ...step.fields.map((f) => f.name),
      ...(step.kind === 'applicant' ? ['regionCode', ...(j.clerk ? ['hallId', 'applicantId'] : [])] : []),
    ];
    for (const n of names) {
      const v = body[n];
      if (v === undefined || v.trim() === '') delete values[n];
      else values[n] = v.trim().slice(0, 2000);
    }
    return values;
  }

  async function renderCheck(
    req: FastifyRequest,
    reply: FastifyReply,
    at: Journey | string,
    issues: CheckModel['issues'],
    status = 200,
    files?: readonly DraftFile[],
  ) {
    const ctx = req.view(reply);
    const j = typeof at === 'string' ? await journey(req, at) : at;
    const m: CheckModel = {
      base: j.base,
      itemName: j.it.name,
      steps: j.steps,
      values: j.values,
      walkIn: j.values.hallId
        ? { hallId: j.values.hallId, applicantId: j.values.applicantId ?? '' }
        : undefined,
      assisted: j.assisted,
      materials: j.it.materials,
      files: files ?? (await svc.draftFiles(j.p, j.code)),
      chosen: chosenOf(j.values),
      issues,
    };
    return sendHtml(
      reply,
      renderPage(ctx, ctx.t('cases.title.check'), <CheckPage ctx={ctx} m={m} />),
      status,
    );
  }

  /** What keeps a draft from being submitted, each linked to the page that puts it right. */
  function draftIssues(
    ctx: ReturnType<FastifyRequest['view']>,
    j: Journey,
    files: readonly DraftFile[],
  ): CheckModel['issues'] {
    const stepOf = (field: string) =>
      j.steps.find((s) => s.fields.some((f) => f.name === field))?.id ?? 'applicant';
    const out: Array<CheckModel['issues'][number]> = answerIssues(ctx, j.it, j.values).map((i) => ({
      ...i,
      href: stepHref(j.base, stepOf(i.field), true),
    }));
    for (const i of missingMaterials(ctx, j.it.materials, files, j.values))
      out.push({ ...i, href: stepHref(j.base, 'materials', true) });
    return out;
  }

  for (const { prefix, keyOf, P } of kinds) {
    app.get(
      `${prefix}`,
      { schema: { hide: true, params: P.item }, config: { permission: 'authenticated' } },
      async (req, reply) => renderStep(req, reply, keyOf(req.params), 'applicant'),
    );

    app.get(
      `${prefix}/:step`,
      { schema: { hide: true, params: P.step }, config: { permission: 'authenticated' } },
      async (req, reply) => renderStep(req, reply, keyOf(req.params), req.params.step),
    );

    app.post(
      `${prefix}/:step`,
      {
        schema: { hide: true, params: P.step },
        config: {
          permission: 'authenticated',
          // the materials step takes files
          uploads: true,
        },
      },
      async (req, reply) => {
        const ctx = req.view(reply);
        const { step: stepId } = req.params;
        const code = keyOf(req.params);
        const j = await journey(req, code);
        const step = j.steps.find((s) => s.id === stepId);
        if (!step) throw new DomainError('COMMON.NOT_FOUND');
        const body = formBody(req);
        const toCheck = body.returnTo === 'check';

        if (step.kind === 'materials') {
          const remove = Object.keys(body)
            .filter((k) => k.startsWith('remove.'))
            .map((k) => k.slice('remove.'.length));
          const licences = j.clerk || j.assisted ? {} : chosenOf(body);
          const files = materialFiles(req);
          // the first step taken may be this one: start the draft from what the account prefills
          if (j.prefilled) await svc.saveDraft(j.p, code, j.values);
          const r = await svc.saveDraftFiles(j.p, code, { files, remove, licences });
          const issues: Array<FieldIssue & { message: string }> = r.problems.map((x) => ({
            field: `${x.error.code === 'CASES.LICENCE_NOT_USABLE' ? 'licence' : 'file'}.${x.code}`,
            rule: x.error.code,
            message: x.error.messageIn(ctx.lang),
          }));
          // the draft as the post left it: its e-licence choices, and the files kept
          const values = { ...j.values, ...prefixed(licences) };
          if (!issues.length) {
            const kept = await svc.draftFiles(j.p, code);
            const missing = missingMaterials(ctx, j.it.materials, kept, values);
            if (!missing.length) return reply.redirect(nextOf(j.base, j.steps, stepId, toCheck), 303);
            return renderStep(req, reply, j, stepId, { issues: missing, status: 400, values });
          }
          const status = r.problems.reduce((s, x) => Math.max(s, x.error.status), 400);
          return renderStep(req, reply, j, stepId, {
            issues,
            status,
            values,
          });
        }

        // a clerk starting on another citizen: nothing of the previous walk-in's draft carries over
        const next = body.applicantId?.trim();
        if (
          j.clerk &&
          step.kind === 'applicant' &&
          j.values.applicantId &&
          next &&
          next !== j.values.applicantId
        ) {
          await svc.discardDraft(j.p, code);
          j.values = {};
        }
        const values = mergeStep(j, step, body);
        const issues = answerIssues(ctx, j.it, values, step);
        // a walk-in is for someone the platform knows: said on this page, not only at submission
        if (j.clerk && step.kind === 'applicant' && values.applicantId) {
          if (!(await svc.walkInApplicant(values.applicantId)))
            issues.unshift({
              field: 'applicantId',
              rule: 'WALK_IN.APPLICANT_UNKNOWN',
              message: new DomainError('CASES.APPLICANT_UNKNOWN').messageIn(ctx.lang),
            });
        }
        await svc.saveDraft(j.p, code, values);
        if (issues.length) return renderStep(req, reply, j, stepId, { values, issues, status: 400 });
        return reply.redirect(nextOf(j.base, j.steps, stepId, toCheck), 303);
      },
    );

    // With JavaScript, a step's answers are saved as they change (before "continue"); nothing is
    // checked here (the step's own post does that), the draft just keeps what was typed.
    app.post(
      `${prefix}/:step/draft`,
      { schema: { hide: true, params: P.step }, config: { permission: 'authenticated' } },
      async (req, reply) => {
        const { step: stepId } = req.params;
        const code = keyOf(req.params);
        const j = await journey(req, code);
        const step = j.steps.find((s) => s.id === stepId && s.kind !== 'materials');
        if (!step) throw new DomainError('COMMON.NOT_FOUND');
        const values = mergeStep(j, step, formBody(req));
        await svc.saveDraft(j.p, code, values);
        return reply.code(204).send();
      },
    );

    app.get(
      `${prefix}/check`,
      { schema: { hide: true, params: P.item }, config: { permission: 'authenticated' } },
      async (req, reply) => renderCheck(req, reply, keyOf(req.params), []),
    );

    app.post(
      `${prefix}/confirm`,
      { schema: { hide: true, params: P.item }, config: { permission: 'authenticated' } },
      async (req, reply) => {
        const ctx = req.view(reply);
        const code = keyOf(req.params);
        const j = await journey(req, code, { submitted: true });
        const landing = (r: { caseNumber?: string; bundleNumber?: string }, walkIn: boolean) => {
          // an agent cannot open the person's case: back to their list, the case number said there
          if (j.home === '/cases/assisted' && r.caseNumber)
            return reply.redirect(`/cases/assisted?done=submit&case=${enc(r.caseNumber)}`, 303);
          const target = r.bundleNumber
            ? `/cases/bundles/${enc(r.bundleNumber)}`
            : walkIn
              ? `/workbench/cases/${enc(r.caseNumber ?? '')}`
              : `/cases/${enc(r.caseNumber ?? '')}`;
          return reply.redirect(`${target}?done=submit`, 303);
        };
        // the check page's request id: a re-post of the same form (a second click, the browser
        // sending it again) lands where the first did, even once the draft is gone
        const requestId = formBody(req).requestId || undefined;
        const answered = async () => (requestId ? svc.submittedDraft(j.p, code, requestId) : undefined);
        const first = await answered();
        if (first) return landing(first, j.clerk);
        // nothing saved to submit (it was submitted a moment ago): the applicant's cases
        if (!j.saved) return reply.redirect(j.home, 303);
        // the whole draft once more: every answer, and every required material provided
        const files = await svc.draftFiles(j.p, code);
        const issues = draftIssues(ctx, j, files);
        if (issues.length) {
          // the first post may have taken the files with it a moment ago
          const meanwhile = await answered();
          if (meanwhile) return landing(meanwhile, j.clerk);
          return renderCheck(req, reply, j, issues, 400, files);
        }
        try {
          return landing(await svc.submitDraft(j.p, code, { requestId }), !!j.values.hallId);
        } catch (e) {
          if (!isDomainError(e) || e.status >= 500) throw e;
          // a second click of "submit": the first made the case; show the applicant their cases
          if (e.code === 'CASES.ALREADY_SUBMITTED') return reply.redirect(j.home, 303);
          const where = e.code === 'CASES.MATERIALS_MISSING' ? 'materials' : 'applicant';
          // a real-name level is raised on the account page (online), or starts there (in person)
          // (so is an organisation's verification)
          const realName = [
            'CASES.REAL_NAME_LEVEL',
            'CASES.REAL_NAME_IN_PERSON',
            'CASES.ORGANIZATION_UNVERIFIED',
            'CASES.ORGANIZATION_IN_PERSON',
          ].includes(e.code);
          return renderCheck(
            req,
            reply,
            j,
            [
              {
                field: where,
                rule: e.code,
                message: e.messageIn(ctx.lang),
                // a 委托 no longer in force (expired, revoked, narrowed): choose again
                href:
                  e.code === 'CASES.NOT_DELEGATED' || e.code === 'CASES.OUT_OF_SCOPE'
                    ? '/cases/assisted/apply'
                    : realName && !j.clerk && !j.assisted
                      ? '/account'
                      : stepHref(j.base, where, true),
              },
            ],
            e.status,
          );
        }
      },
    );
  }
}

/**
 * The problems of the answers (of one step, or of the whole draft), each said in words: an
 * answer missing ("请填写…"), or one that is not right ("…填写有误").
 */
function answerIssues(
  ctx: ReturnType<FastifyRequest['view']>,
  it: Application,
  values: Readonly<Record<string, string>>,
  step?: FormStep,
): Array<FieldIssue & { message: string }> {
  const say = (missing: boolean, label: string) =>
    ctx.t(missing ? 'cases.apply.fieldMissing' : 'cases.apply.fieldInvalid', { label });
  const out: Array<FieldIssue & { message: string }> = [];
  const region = values.regionCode ?? '';
  if ((!step || step.kind === 'applicant') && !REGION_CODE_RE.test(region))
    out.push({
      field: 'regionCode',
      rule: region ? 'REGION' : 'REQUIRED',
      message: say(!region, ctx.t('cases.apply.regionCode')),
    });
  const all = it.validate(coerceFormValues(it.formFields, values));
  for (const i of step ? issuesOfStep(step, all) : all) {
    const label = it.formFields.find((f) => f.name === i.field)?.label ?? i.field;
    out.push({ ...i, message: say(i.rule === 'SCHEMA.REQUIRED', label) });
  }
  return out;
}

/** Required materials with neither a file kept, nor an e-licence chosen, nor shared data behind them. */
function missingMaterials(
  ctx: ReturnType<FastifyRequest['view']>,
  materials: Application['materials'],
  files: readonly DraftFile[],
  values: Readonly<Record<string, string>>,
): Array<FieldIssue & { message: string }> {
  const chosen = Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith('licence.'))
      .map(([k, v]) => [k.slice('licence.'.length), v]),
  );
  const kept = files.map((f) => ({ code: f.materialCode }));
  return missingOf(materials, kept, chosen).map((mat) => ({
    field: `file.${mat.code}`,
    rule: 'REQUIRED',
    message: ctx.t('cases.apply.material.missing', { name: mat.name }),
  }));
}

/** The files of a page post, as materials: a field `file.<material code>` each. */
export function materialFiles(req: FastifyRequest): RawUpload[] {
  return uploadedFiles(req)
    .filter((f) => f.field.startsWith('file.'))
    .map((f) => ({
      code: f.field.slice('file.'.length),
      filename: f.filename,
      mediaType: f.declaredType,
      data: f.data,
      tooLarge: f.tooLarge,
      overTotal: f.overTotal,
    }));
}

/** `{code: id}` as the draft keeps e-licence choices (`licence.<code>`). */
function prefixed(licences: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(licences).map(([k, v]) => [`licence.${k}`, v]));
}
