import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pick, seeded } from './cases.testkit.js';
import {
  ACTION_TYPES,
  type ActionType,
  type CaseAction,
  type CaseStatus,
  DEFAULT_RULES,
  INITIAL,
  STATUSES,
  TERMINAL,
  TRANSITIONS,
  type WorkflowState,
  canApply,
  deriveState,
  deriveStatus,
  step,
} from './cases.workflow.js';

/** A random action of each type, with plausible (sometimes empty or too long) payloads. */
function randomAction(rnd: () => number, type: ActionType): CaseAction {
  const list = () => (rnd() < 0.15 ? [] : ['身份证明', '营业执照'].slice(0, 1 + Math.floor(rnd() * 2)));
  switch (type) {
    case 'acceptWithDeficiency':
      return { type, missing: list() };
    case 'acceptWithCommitment':
      return { type, commitments: list() };
    case 'requestSupplement':
      return { type, missing: list() };
    case 'refuse':
    case 'reject':
      return { type, reason: '材料不符合法定形式', legalBasis: '《中华人民共和国行政许可法》第三十二条' };
    case 'startStep':
      return { type, step: pick(rnd, ['审核', '审批']) };
    case 'suspend':
      return { type, procedure: pick(rnd, ['hearing', 'testing', 'expertReview'] as const) };
    case 'extend':
      return { type, days: pick(rnd, [5, 10, 15]), approvedBy: 'head' };
    case 'issueResult':
      return { type, delivery: pick(rnd, ['online', 'post', 'window'] as const) };
    case 'collectResult':
      return { type, onBehalfOf: 'p', delegationId: 'd', agent: 'gridWorker' };
    default:
      return { type } as CaseAction;
  }
}

describe('cases workflow', () => {
  test('a 承诺件 runs submit → accept → 审核 → approve → issue → complete', () => {
    const actions: CaseAction[] = [
      { type: 'submit' },
      { type: 'accept' },
      { type: 'startStep', step: '审核' },
      { type: 'completeStep' },
      { type: 'approve' },
      { type: 'issueResult' },
      { type: 'complete' },
    ];
    assert.equal(deriveStatus(actions), 'completed');
  });

  test('一次性告知 › a supplement before acceptance returns the case to the window', () => {
    const s = deriveStatus([
      { type: 'submit' },
      { type: 'requestSupplement', missing: ['身份证明'] },
      { type: 'supplement' },
    ]);
    assert.equal(s, 'submitted');
  });

  test('容缺受理 › no decision while a deficiency is outstanding', () => {
    let s: WorkflowState = INITIAL;
    for (const a of [
      { type: 'submit' },
      { type: 'acceptWithDeficiency', missing: ['户口簿'] },
    ] as CaseAction[]) {
      const r = step(s, a);
      assert.ok(r.ok);
      s = r.state;
    }
    const r = step(s, { type: 'approve' });
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.refusal.reason, 'deficiencyOutstanding');
    const sup = step(s, { type: 'supplement' });
    assert.ok(sup.ok);
    assert.ok(step(sup.state, { type: 'approve' }).ok);
  });

  test('行政许可法 art. 42 › an extension is allowed once', () => {
    const s = deriveState([
      { type: 'submit' },
      { type: 'accept' },
      { type: 'extend', days: 10, approvedBy: 'head' },
    ]);
    const again = step(s, { type: 'extend', days: 5, approvedBy: 'head' });
    assert.equal(!again.ok && again.refusal.reason, 'alreadyExtended');
  });

  test('resume returns to the 环节 the case was suspended from', () => {
    const s = deriveStatus([
      { type: 'submit' },
      { type: 'accept' },
      { type: 'startStep', step: '审核' },
      { type: 'suspend', procedure: 'hearing' },
      { type: 'resume' },
    ]);
    assert.equal(s, 'inStep');
  });

  test('terminal statuses allow nothing', () => {
    for (const s of TERMINAL) for (const a of ACTION_TYPES) assert.equal(canApply(s, a), false, `${s} ${a}`);
  });

  test('every status is reachable from new through the table', () => {
    const seen = new Set<CaseStatus>(['new']);
    const queue: CaseStatus[] = ['new'];
    while (queue.length) {
      const s = queue.shift() as CaseStatus;
      for (const targets of Object.values(TRANSITIONS[s])) {
        for (const t of targets ?? []) {
          if (seen.has(t)) continue;
          seen.add(t);
          queue.push(t);
        }
      }
    }
    assert.deepEqual([...seen].sort(), [...STATUSES].sort());
  });

  test('property › no sequence of actions reaches a state the table forbids', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = seeded(seed);
      const rules = { ...DEFAULT_RULES, allowsDeficiency: rnd() < 0.7, allowsCommitment: rnd() < 0.7 };
      let s: WorkflowState = INITIAL;
      let accepted = false;
      let extensions = 0;
      for (let i = 0; i < 40; i++) {
        const a = randomAction(rnd, pick(rnd, ACTION_TYPES));
        const r = step(s, a, rules);
        const targets = TRANSITIONS[s.status][a.type];
        if (!r.ok) {
          // a refusal never changes anything; a table refusal exactly when the table has no entry
          assert.equal(
            r.refusal.reason === 'transition',
            targets === undefined ||
              (a.type === 'supplement' && s.status !== 'awaitingSupplement' && s.deficiency.length === 0),
            `seed ${seed}`,
          );
          continue;
        }
        assert.ok(
          targets?.includes(r.state.status),
          `seed ${seed}: ${s.status} --${a.type}--> ${r.state.status} is not in the table`,
        );
        if (a.type.startsWith('accept')) accepted = true;
        if (a.type === 'extend') extensions++;
        if (r.state.status === 'approved')
          assert.ok(accepted && r.state.deficiency.length === 0, `seed ${seed}: approved without acceptance`);
        if (TERMINAL.has(s.status)) assert.fail(`seed ${seed}: left a terminal status`);
        s = r.state;
      }
      assert.ok(extensions <= 1, `seed ${seed}: extended ${extensions} times`);
    }
  });
});
