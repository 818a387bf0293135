import { ManualClock, seededRandom } from '../../kernel/index.js';
import type { Store } from '../../platform/db/index.js';
import type { Principal } from '../../platform/access.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import type { ApplicableItem, CasesPorts, DecidingBody } from './cases.ports.js';
import { createCasesService } from './cases.service.js';

/**
 * `tongban seed --cases N`: N generated historical cases over the past year, through the service
 * (every check, action row and event as in live use), committed 200 lifecycles at a time. The mix
 * follows the bench: 即办件, 承诺件 (some with 补正), rejections, refusals, withdrawals; about 2 % are
 * left open so the queues have work. Applicants are generated account ids (`gen-…`), not people.
 */

/** A valid answer for every field of a form schema (the generated cases are not real people). */
export function sampleForm(schema: Record<string, unknown>): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<
    string,
    { type?: string; enum?: string[]; pattern?: string; format?: string }
  >;
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) {
    if (p.enum?.length) out[k] = p.enum[0];
    else if (p.type === 'integer' || p.type === 'number') out[k] = 1;
    else if (p.type === 'boolean') out[k] = true;
    else if (p.format === 'date') out[k] = '2025-06-01';
    else if (p.pattern?.includes('1\\d{10}')) out[k] = '13800000000';
    else if (p.pattern?.includes('\\d{17}')) out[k] = '410105199001011234';
    else if (p.pattern?.includes('0-9A-HJ-NPQRTUWXY')) out[k] = '91410105MA00000000';
    else if (!p.pattern) out[k] = '生成的历史办件';
  }
  return out;
}

const SYSTEM: Principal = {
  accountId: 'system:seed',
  kind: 'staff',
  login: 'system:seed',
  displayName: 'seed',
  realNameLevel: 3,
  via: 'bearer',
  grants: [
    {
      role: 'platformAdmin',
      permissions: [
        'cases.accept',
        'cases.requestSupplement',
        'cases.refuse',
        'cases.review',
        'cases.decide',
        'cases.issueResult',
        'cases.read',
      ],
      regionPrefix: '',
      departmentId: null,
    },
  ],
};

const REGIONS = ['410105001', '410102001', '410103001', '410104001', '410105002', '410122100'];

export async function generateCases(
  store: Store,
  ports: CasesPorts,
  n: number,
  now: Date,
  progress: (label: string, total: number) => { tick(n?: number): void; done(): void },
  cipher?: PersonalDataCipher,
  shouldStop: () => boolean = () => false,
  /** lifecycles per transaction: 200 for the CLI; a few in the background, so requests get turns */
  batchSize = 200,
): Promise<number> {
  const items = await generatableItems(ports);
  if (items.length === 0 || n <= 0) return 0;
  const { svc, clock } = await offlineService(store, ports, items, now, cipher);
  const rnd = seededRandom(20161101);
  const bar = progress('cases', n);
  const start = now.getTime() - 365 * 86_400_000;
  let made = 0;
  while (made < n && !shouldStop()) {
    // better-sqlite3 answers synchronously: without a turn of the event loop between batches, a
    // server generating in the background would answer no request until it is done
    await new Promise((r) => setImmediate(r));
    const batch = Math.min(batchSize, n - made);
    await store.db.transaction().execute(async (trx) => {
      const w = { within: trx };
      for (let i = 0; i < batch; i++) {
        const k = made + i;
        const it = items[Math.floor(rnd() * items.length)] as ApplicableItem;
        const at = start + (k / n) * 364 * 86_400_000;
        const set = (days: number) => clock.set(new Date(at + days * 86_400_000));
        const applicant: Principal = {
          ...SYSTEM,
          accountId: `gen-${k % 50_000}`,
          kind: 'person',
          login: `gen-${k}`,
          grants: [
            {
              role: 'citizen',
              permissions: ['cases.apply', 'cases.readOwn'],
              regionPrefix: '',
              departmentId: null,
            },
          ],
        };
        set(0);
        let caseNumber: string;
        try {
          caseNumber = (
            await svc.submit(
              applicant,
              {
                implementationCode: it.implementationCode,
                regionCode: REGIONS[k % REGIONS.length] as string,
                form: sampleForm(it.formSchema),
              },
              w,
            )
          ).caseNumber;
        } catch {
          continue; // an item this generator cannot route or fill: skip it
        }
        const r = rnd();
        const act = async (a: Parameters<typeof svc.act>[1], p: Principal, d: number) => {
          set(d);
          await svc.act(caseNumber, a, p, w);
        };
        if (r < 0.03) {
          await act(
            {
              action: 'refuse',
              reason: '不属于本机关职权范围',
              legalBasis: '《中华人民共和国行政许可法》第三十二条',
            },
            SYSTEM,
            1,
          );
          continue;
        }
        if (r < 0.05) {
          await act({ action: 'withdraw' }, applicant, 1);
          continue;
        }
        if (r < 0.17) {
          await act({ action: 'requestSupplement', missing: ['身份证明'] }, SYSTEM, 1);
          await act({ action: 'supplement' }, applicant, 3);
        }
        await act({ action: 'accept' }, SYSTEM, it.promisedDays === 0 ? 0 : 4);
        // the last days of the year stay open, so queues and clocks have work
        if (k > n * 0.98) continue;
        if (it.promisedDays > 0) {
          await act({ action: 'startStep', step: it.steps[1] ?? '审核' }, SYSTEM, 5);
          await act({ action: 'completeStep' }, SYSTEM, 6);
        }
        const d = Math.max(0, Math.min(it.promisedDays, 8)) + 4;
        if (r < 0.22)
          await act(
            {
              action: 'reject',
              reason: '不符合法定条件',
              legalBasis: '《中华人民共和国行政许可法》第三十八条',
            },
            SYSTEM,
            d,
          );
        else await act({ action: 'approve' }, SYSTEM, d);
        await act({ action: 'issueResult', delivery: 'online' }, SYSTEM, d);
        await act({ action: 'complete' }, SYSTEM, d);
      }
    });
    made += batch;
    bar.tick(batch);
  }
  bar.done();
  return made;
}

/** The items a citizen can apply for online, with forms the generator can fill. */
async function generatableItems(ports: CasesPorts): Promise<ApplicableItem[]> {
  const items: ApplicableItem[] = [];
  let cursor = '';
  for (;;) {
    const page = await ports.catalog.listCodes?.(cursor, 500);
    if (!page) break;
    for (const code of page.codes) {
      const it = await ports.catalog.applicableItem(code);
      if (
        it &&
        it.depth >= 2 &&
        it.audiences.includes('person') &&
        Object.keys(sampleForm(it.formSchema)).length > 0
      )
        items.push(it);
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items;
}

/**
 * A cases service on a clock of its own, with every answer of the neighbours looked up before the
 * batches: inside a transaction on SQLite's one connection, a neighbour reading the store would
 * wait for it forever. No e-licence is issued for generated history.
 */
async function offlineService(
  store: Store,
  ports: CasesPorts,
  items: readonly ApplicableItem[],
  now: Date,
  cipher?: PersonalDataCipher,
) {
  const byCode = new Map(items.map((it) => [it.implementationCode, it]));
  const routes = new Map<string, DecidingBody | undefined>();
  for (const it of items)
    for (const r of REGIONS)
      routes.set(`${it.implementationCode}|${r}`, await ports.regions.decidingBody(it, r));
  const offline: CasesPorts = {
    catalog: { applicableItem: async (code) => byCode.get(code), bundle: async () => undefined },
    regions: {
      decidingBody: async (it, r) => routes.get(`${it.implementationCode}|${r}`),
      hall: async () => undefined,
      department: async () => undefined,
    },
    identity: ports.identity,
    calendar: ports.calendar,
  };
  const clock = new ManualClock(now);
  const svc = createCasesService({ store, clock, ports: offline, ...(cipher ? { cipher } : {}) });
  return { svc, clock, routes };
}

/**
 * The lived-in desk of the demo city: for every department that decides an item for 经八路街道
 * (410105001) — the city's and 金水区's bureaus, the township office — open cases in every status
 * and clock colour (applications waiting, 补正, accepted with days to spare, near the limit and past
 * it, in a step, in a 特别程序, decided, result issued), and completed cases of the given applicant
 * (the demo citizen) over the past months for ratings. Through the service like live use.
 */
export async function generateDesk(
  store: Store,
  ports: CasesPorts,
  now: Date,
  applicant: Principal,
  cipher?: PersonalDataCipher,
): Promise<{ open: number; completed: string[] }> {
  const items = await generatableItems(ports);
  if (items.length === 0) return { open: 0, completed: [] };
  const { svc, clock, routes } = await offlineService(store, ports, items, now, cipher);
  const region = '410105001';
  const byDept = new Map<string, ApplicableItem[]>();
  for (const it of items) {
    const body = routes.get(`${it.implementationCode}|${region}`);
    if (!body) continue;
    const list = byDept.get(body.departmentId) ?? [];
    list.push(it);
    byDept.set(body.departmentId, list);
  }
  const day = 86_400_000;
  let k = 0;
  let open = 0;
  const completed: string[] = [];
  const applicantOf = (i: number): Principal =>
    i < 0
      ? applicant
      : {
          ...SYSTEM,
          accountId: `gen-desk-${i}`,
          kind: 'person',
          login: `gen-desk-${i}`,
          grants: [
            {
              role: 'citizen',
              permissions: ['cases.apply', 'cases.readOwn'],
              regionPrefix: '',
              departmentId: null,
            },
          ],
        };
  /** one case: submitted `age` days ago, then each step `[action, days ago]` */
  const run = async (
    it: ApplicableItem,
    who: Principal,
    age: number,
    steps: ReadonlyArray<readonly [Parameters<typeof svc.act>[1], number]>,
  ): Promise<string | undefined> => {
    // a few hours apart, in office hours China time
    await new Promise((r) => setImmediate(r)); // let the server answer between cases
    // a step at 0 days is now itself: the desk's fresh acceptance must fall on today's China date,
    // or at night after a weekend its first working day has already counted and it is not green
    const at = (d: number) =>
      new Date(d === 0 ? now.getTime() : now.getTime() - d * day - ((k * 37) % 300) * 60_000);
    clock.set(at(age));
    try {
      const { caseNumber } = await svc.submit(who, {
        implementationCode: it.implementationCode,
        regionCode: region,
        form: sampleForm(it.formSchema),
      });
      for (const [a, d] of steps) {
        clock.set(at(d));
        await svc.act(caseNumber, a, 'action' in a && a.action === 'withdraw' ? who : SYSTEM);
      }
      return caseNumber;
    } catch {
      return undefined; // an item this generator cannot route or fill
    } finally {
      k++;
    }
  };
  // working days to calendar days, roughly (five in seven)
  const cal = (w: number) => Math.max(0, Math.round((w * 7) / 5));
  for (const [, list] of byDept) {
    const long = list.reduce<ApplicableItem | undefined>(
      (best, it) => (it.promisedDays > (best?.promisedDays ?? 0) ? it : best),
      undefined,
    );
    const immediate = list.find((it) => it.promisedDays === 0);
    if (immediate) {
      // 即办件 waiting at the window (bulk acceptance)
      for (const age of [0, 0.1, 1]) if (await run(immediate, applicantOf(k), age, [])) open++;
    }
    if (!long) continue;
    const P = long.promisedDays;
    const accept = { action: 'accept' } as const;
    const ladder: Array<[number, Array<readonly [Parameters<typeof svc.act>[1], number]>]> = [
      [0.2, []],
      [1, []],
      [3, [[{ action: 'requestSupplement', missing: ['身份证明'] }, 2]]],
      [0.4, [[accept, 0]]], // green: accepted today, no working day counted yet
      [cal(P - 1) + 1, [[accept, cal(P - 1)]]],
      [cal(P + 4) + 1, [[accept, cal(P + 4)]]],
      [
        0.6,
        [
          [accept, 0.5],
          [{ action: 'startStep', step: long.steps[1] ?? '审核' }, 0.2],
        ],
      ],
      [
        4,
        [
          [accept, 3],
          [{ action: 'suspend', procedure: 'inspection' }, 1],
        ],
      ],
      [
        5,
        [
          [accept, 4],
          [{ action: 'approve' }, 1],
        ],
      ],
      [
        6,
        [
          [accept, 5],
          [{ action: 'approve' }, 2],
          [{ action: 'issueResult', delivery: 'online' }, 1],
        ],
      ],
    ];
    for (const [age, steps] of ladder) if (await run(long, applicantOf(k), age, steps)) open++;
  }
  // the demo citizen's completed cases over the past months (to be rated)
  const done = items.filter((it) => routes.get(`${it.implementationCode}|${region}`));
  for (let i = 0; i < 24 && done.length; i++) {
    const it = done[(i * 7) % done.length]!;
    const age = 10 + i * 13;
    const d = Math.min(it.promisedDays, 8);
    const n = await run(it, applicant, age, [
      [{ action: 'accept' }, age - 1],
      [{ action: 'approve' }, age - 1 - cal(d)],
      [{ action: 'issueResult', delivery: i % 3 === 0 ? 'window' : 'online' }, age - 1 - cal(d)],
      [{ action: 'complete' }, age - 1 - cal(d)],
    ]);
    if (n) completed.push(n);
  }
  return { open, completed };
}
