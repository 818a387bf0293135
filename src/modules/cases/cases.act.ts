/**
 * Acting on a case: who may (cases.access.ts), whether the workflow allows it now
 * (cases.workflow.ts), then the action, the case's projection and clock, its materials and its event
 * in one transaction; 出证 issues the e-licence inside the same transaction.
 */
import { DomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { type Tx, dialectOf, inTransaction, readsBesideTransactions } from '../../platform/db/index.js';
import { type NewEvent, appendEvent, eventToInsert } from '../../platform/events/index.js';
import { ACTION_ACCESS, accessError, deniedPermission, mayAct } from './cases.access.js';
import { delegatedAgent } from './cases.submit.js';
import { CLOCK_ACTIONS, clockOf, toClockView } from './cases.clock.js';
import type { CasesContext, Projection, WriteOptions } from './cases.context.js';
import { type RawUpload, checkUploads, fromBase64, writeMaterials } from './cases.materials.js';
import type { ApplicableItem } from './cases.ports.js';
import { keyed, once, recordAnswer, reserve } from './cases.requests.js';
import * as st from './cases.store.js';
import type { ActionInput, ClockView } from './cases.types.js';
import {
  ACTION_EVENT,
  type ActionType,
  type CaseAction,
  type CaseStatus,
  type StepRefusal,
  TERMINAL,
  type WorkflowRules,
  allowedActions,
  step,
} from './cases.workflow.js';

/** A posted action (`{"action": …}`) as the workflow's action. */
export function toAction(input: ActionInput): CaseAction {
  // the request id names the request, not the act: it is not recorded with the action
  const { action, requestId: _requestId, ...rest } = input;
  return { type: action, ...rest } as CaseAction;
}

export function refusalError(r: StepRefusal): DomainError {
  switch (r.reason) {
    case 'transition':
      return new DomainError('CASES.TRANSITION_NOT_ALLOWED', {
        params: { status: r.status, action: r.action },
      });
    case 'deficiencyOutstanding':
      return new DomainError('CASES.DEFICIENCY_OUTSTANDING', { details: { missing: r.missing } });
    case 'alreadyExtended':
      return new DomainError('CASES.ALREADY_EXTENDED');
    case 'extensionTooLong':
      return new DomainError('CASES.EXTENSION_TOO_LONG', { params: { max: r.max } });
    case 'notAllowedForItem':
      return new DomainError('CASES.NOT_ALLOWED_FOR_ITEM', { details: { action: r.action } });
    case 'emptyList':
      return new DomainError('CASES.EMPTY_LIST');
    case 'notAwaitingCollection':
      return new DomainError('CASES.RESULT_NOT_READY');
    default: {
      const never: never = r;
      throw new Error(`unknown refusal ${JSON.stringify(never)}`);
    }
  }
}

export const rulesOf = (item: ApplicableItem): WorkflowRules => ({
  allowsDeficiency: item.allowsDeficiency,
  allowsCommitment: item.allowsCommitment,
  // 行政许可法 art. 42: 10 working days for a 许可; the same default for other items
  maxExtensionDays: 10,
});

/** What an action answers: the case's new status and clock, and what the workflow allows next. */
export interface Acted {
  caseNumber: string;
  status: CaseStatus;
  clock: ClockView;
  allowedActions: ActionType[];
}

export async function act(
  ctx: CasesContext,
  caseNumber: string,
  input: ActionInput | CaseAction,
  p: Principal,
  opts: WriteOptions & { files?: readonly RawUpload[] } = {},
): Promise<Acted> {
  const ex = opts.within ?? ctx.db;
  // materials come only with a supplement: base64 from the API, files from a page
  const supplied: RawUpload[] = [...(opts.files ?? [])];
  if ('action' in input && input.action === 'supplement' && input.materials) {
    const { materials, ...rest } = input;
    supplied.push(...materials.map(fromBase64));
    input = rest;
  }
  const requestId = 'action' in input ? input.requestId : undefined;
  let action: CaseAction = 'action' in input ? toAction(input) : input;
  if (supplied.length && action.type !== 'supplement')
    throw new DomainError('COMMON.VALIDATION', {
      details: [{ field: 'materials', rule: 'SUPPLEMENT_ONLY' }],
    });
  if (action.type === 'submit')
    throw new DomainError('CASES.TRANSITION_NOT_ALLOWED', {
      params: { status: 'submitted', action: 'submit' },
    });
  const req = keyed(requestId, 'act', {
    caseNumber,
    action,
    files: supplied.map((f) => ({ code: f.code, data: f.data })),
  });
  // a retry of a request already answered: the same answer, not TRANSITION_NOT_ALLOWED
  return once(ex, p, req, async () => {
    const byAgent = ACTION_ACCESS[action.type].agent !== undefined;
    // The case is read, and the action checked (who may, the workflow, what 出证 and an agent's
    // 委托 look up), before the transaction; except on SQLite with group commit, where an action
    // reads its case inside its transaction, from the writer's warm page cache: a read outside
    // (the reader connection) finds its cache emptied by every COMMIT since its last read and
    // reads each page again. The checks' own look-ups then run while the transaction is open,
    // which only there neither waits for it nor takes a second pooled connection.
    const prepared = !readsBesideTransactions(ex);
    const alone = prepared && !req && !ex.isTransaction && dialectOf(ex) === 'postgres';
    const out = prepared
      ? await decide(await readCase(ex), byAgent).then((d) =>
          alone && !d.issue && d.suppliedMaterials.length === 0
            ? writeAlone(d, ctx.clock.now().toISOString()).then((answer) => ({ answer, fresh: true }))
            : inTransaction(ex, async (trx) => {
                const now = ctx.clock.now().toISOString();
                const again = await reserve<Acted>(trx, p, req, d.row.region_code, now);
                if (again) return { answer: again, fresh: false };
                return { answer: await write(trx, d, now, false), fresh: true };
              }),
        )
      : await inTransaction(ex, async (trx) => {
          const now = ctx.clock.now().toISOString();
          const read = await readCase(trx);
          // the request id is reserved under the case's region, once the case is known
          const again = read.row ? await reserve<Acted>(trx, p, req, read.row.region_code, now) : undefined;
          if (again) return { answer: again, fresh: false };
          const d = await decide(read, byAgent);
          return { answer: await write(trx, d, now, true), fresh: true };
        });
    if (!opts.within && out.fresh) ctx.poke();
    return out.answer;
  });

  async function readCase(within: typeof ex) {
    const mem = within.isTransaction ? ctx.written.get(within, caseNumber) : undefined;
    // read inside the action's transaction: with the columns the projection rewrites (write())
    const row = mem?.row ?? (await st.caseForAction(within, caseNumber, within.isTransaction));
    return { row, mem };
  }

  /** Who may, whether the workflow allows it, and what the write needs: checked before anything is written. */
  async function decide({ row, mem }: Awaited<ReturnType<typeof readCase>>, byAgent: boolean) {
    // an agent is not told whether a case they hold no 委托 for exists
    if (!row)
      throw byAgent
        ? new DomainError('CASES.NOT_DELEGATED')
        : new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
    if (byAgent) {
      // who may: the applicant's live 委托 to the caller for the case's item, and who acted for
      // whom under which 委托 recorded from it (never from what the caller sent)
      const assisted = await delegatedAgent(ctx, p, row.applicant_id, row.implementation_code);
      if (action.type === 'collectResult') action = { type: action.type, ...assisted };
    } else {
      // who may: one table, one predicate (cases.access.ts)
      const verdict = mayAct(p, row, action.type);
      if (verdict !== 'ok')
        throw accessError(
          verdict,
          deniedPermission(action.type, row.applicant_id === p.accountId),
          caseNumber,
        );
    }
    const it = await ctx.items.get(row.item_code);
    if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code: row.item_code } });

    const suppliedMaterials = supplied.length ? checkUploads(ctx, it, supplied) : [];
    if (suppliedMaterials.length && action.type === 'supplement')
      action = { ...action, materials: suppliedMaterials.map((m) => m.materialName) };

    const cached = mem?.projection ?? (JSON.parse(row.projection) as Projection);
    const state = cached.state;
    const r = step(state, action, rulesOf(it));
    // 出件: whatever the reason (no result yet, not for the window, collected already), not ready
    if (!r.ok)
      throw action.type === 'collectResult'
        ? new DomainError('CASES.RESULT_NOT_READY')
        : refusalError(r.refusal);

    // 出证: an e-licence for an approved 许可 whose result is one. Looked up before the write,
    // issued inside it: the licence and the issueResult action commit together.
    const issue =
      action.type === 'issueResult' && state.outcome === 'approved' && it.resultLicenceType
        ? await ctx.ports.licences?.prepareIssue?.({
            caseNumber,
            implementationCode: row.implementation_code,
            licenceType: it.resultLicenceType,
            holderAccountId: row.applicant_id,
            regionCode: row.decide_region_code,
            departmentId: row.department_id,
            today: chinaDate(ctx.clock.now().toISOString()),
          })
        : undefined;
    return { row, cached, state, next: r.state, suppliedMaterials, issue };
  }
  type Decided = Awaited<ReturnType<typeof decide>>;

  /** What the action writes and answers: its case's projection, its record and its event. */
  async function compose(d: Decided, now: string, identifier?: string) {
    const { row, cached, state } = d;
    const payloadAction: CaseAction =
      identifier && action.type === 'issueResult' ? { ...action, licenceIdentifier: identifier } : action;
    const clockActions = CLOCK_ACTIONS.has(payloadAction.type)
      ? [...cached.clock, { action: payloadAction, at: now }]
      : cached.clock;
    const c = await clockOf(ctx, row, clockActions, chinaDate(now));
    const status = d.next.status;
    const seq = row.action_count + 1;
    const { type, ...details } = payloadAction;
    const result =
      action.type === 'issueResult'
        ? JSON.stringify({ outcome: state.outcome, issuedAt: now, ...details })
        : undefined;
    const projection: Projection = { state: d.next, clock: clockActions };
    const changes: st.CaseProjection = {
      status,
      open: TERMINAL.has(status) ? 0 : 1,
      accepted_on: c.startDate,
      promised_due: c.promisedDue,
      statutory_due: c.statutoryDue,
      clock_state: c.state,
      colour: c.colour,
      remaining_days: c.remainingWorkingDays,
      action_count: seq,
      projection: JSON.stringify(projection),
      updated_at: now,
      ...(result ? { result } : {}),
    };
    const record: st.ActionRow = {
      case_id: row.id,
      seq,
      type,
      actor_id: p.accountId,
      region_code: row.region_code,
      payload: JSON.stringify(details),
      at: now,
    };
    const event: NewEvent = {
      type: ACTION_EVENT[type],
      aggregateType: 'case',
      aggregateId: caseNumber,
      regionCode: row.decide_region_code,
      actor: p.accountId,
      payload: {
        caseNumber,
        implementationCode: row.implementation_code,
        departmentId: row.department_id,
        action: type,
        seq,
        status,
        // what the supervision figures need (modules/stats): the promised limit, whether a
        // stopped clock met it and the working days it used, and where the result was handed over
        promisedDays: row.promised_days,
        clock: {
          state: c.state,
          due: c.promisedDue,
          colour: c.colour,
          onTime: c.onTime,
          elapsedWorkingDays: c.elapsedWorkingDays,
        },
        ...(payloadAction.type === 'issueResult' ? { delivery: payloadAction.delivery ?? null } : {}),
        ...(row.bundle_id ? { bundleId: row.bundle_id } : {}),
        ...(payloadAction.type === 'issueResult' && payloadAction.licenceIdentifier
          ? { licenceIdentifier: payloadAction.licenceIdentifier }
          : {}),
      },
    };
    const answer: Acted = {
      caseNumber,
      status,
      clock: toClockView(c),
      allowedActions: allowedActions(status),
    };
    return { changes, record, event, projection, answer };
  }

  /**
   * The action, the case's projection and clock, its materials, its event and the request's answer.
   * `readInside`: the case was read inside this transaction (SQLite), so the row is what the update
   * finds, and the columns the action leaves as they were are not written: SQLite rewrites every
   * index over a column an UPDATE sets, changed or not. Read before the transaction (PostgreSQL),
   * another writer (the clock refresh) may have changed a column since: every column is written.
   */
  async function write(trx: Tx, d: Decided, now: string, readInside: boolean): Promise<Acted> {
    const { row, suppliedMaterials, issue } = d;
    const identifier = issue ? await issue(trx) : undefined;
    const w = await compose(d, now, identifier);
    const updated = await st.updateProjection(
      trx,
      row.id,
      row.action_count,
      readInside ? st.changedOnly(w.changes, row) : w.changes,
    );
    if (!updated) {
      ctx.written.forget(ex, caseNumber);
      throw new DomainError('CASES.CONCURRENT_CHANGE');
    }
    await st.insertAction(trx, w.record);
    if (suppliedMaterials.length)
      await writeMaterials(ctx, trx, row.id, row.region_code, suppliedMaterials, [], now);
    await appendEvent(trx, ctx.clock, w.event);
    // a closed case takes no more actions: nothing to keep for it
    if (TERMINAL.has(w.answer.status)) ctx.written.forget(ex, caseNumber);
    else ctx.written.remember(ex, { ...row, ...w.changes }, w.projection);
    await recordAnswer(trx, p, req, w.answer);
    return w.answer;
  }

  /**
   * PostgreSQL, an action that writes only its case, its record and its event (no materials, no
   * licence, no request id to keep): the three as one statement that commits on its own
   * (st.actAlone, ADR 0036), one round trip instead of five.
   */
  async function writeAlone(d: Decided, now: string): Promise<Acted> {
    const w = await compose(d, now);
    const event = eventToInsert(ctx.clock, w.event);
    if (!(await st.actAlone(ex, d.row.id, d.row.action_count, w.changes, w.record, event)))
      throw new DomainError('CASES.CONCURRENT_CHANGE');
    return w.answer;
  }
}
