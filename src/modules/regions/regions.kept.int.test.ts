import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DomainError, systemClock } from '../../kernel/index.js';
import { type Store, migrate, sql } from '../../platform/db/index.js';
import { eventsMigrations, inProcessWakeups, pgWakeups } from '../../platform/events/index.js';
import { openTestStore, testDialect } from '../../../test/helpers/store.js';
import { createRegionsService } from './regions.service.js';
import { regionsMigrations } from './regions.store.js';

// The directory kept per node (regions.service.ts, DIRECTORY_KEPT_MS): what was not found is never
// kept, so a node that looked before the seed sees the seeded directory; a caller changing what it
// got back does not change what the next caller gets.
let store: Store;
before(async () => {
  store = await openTestStore();
  await migrate(store.db, { ...eventsMigrations, ...regionsMigrations });
});
after(() => store.close());

test('a lookup before the seed is not kept: another node’s seed is seen at once', async () => {
  const reader = createRegionsService({ db: store.db, clock: systemClock });
  const seeder = createRegionsService({ db: store.db, clock: systemClock });
  assert.equal(await reader.getRegion('410100'), undefined);
  assert.deepEqual(await reader.findPath('410105'), []);
  assert.deepEqual(await reader.children('410100'), []);
  await assert.rejects(
    reader.departments('410100'),
    (e: unknown) => e instanceof DomainError && e.code === 'REGIONS.NOT_FOUND',
  );
  assert.ok(await seeder.seedDemo());
  assert.equal((await reader.getRegion('410100'))?.code, '410100');
  assert.deepEqual(
    (await reader.findPath('410105')).map((r) => r.code),
    ['410000', '410100', '410105'],
  );
  assert.equal((await reader.departments('410100')).length, 62);
  assert.equal((await reader.children('410100')).length, 15);
});

test('what a caller gets is its own copy', async () => {
  const s = createRegionsService({ db: store.db, clock: systemClock });
  const first = await s.departments('410100');
  first.length = 0;
  const kids = await s.children('410100');
  kids.reverse().pop();
  assert.equal((await s.departments('410100')).length, 62);
  assert.equal((await s.children('410100')).length, 15);
  const path = await s.findPath('410105');
  path.pop();
  assert.equal((await s.findPath('410105')).length, 3);
});

/** Changes a row behind the services' back (no wake-up): what a service still answers was kept. */
const rename = (table: string, id: string, name: string) =>
  sql`update ${sql.table(table)} set name = ${name} where id = ${id}`.execute(store.db);

test('routing, halls, departments by id and the implementing body are read from what was kept', async () => {
  const s = createRegionsService({ db: store.db, clock: systemClock });
  const township = (await s.children('410105'))[0]!;
  const village = (await s.children(township.code))[0]!;
  const kind = (await s.departments('410105'))[0]!.kind;
  const req = { exerciseLevel: 'county', departmentKind: kind } as const;
  const first = await s.routeItem(req, village.code);
  const body = await s.implementingBody(req, village.code);
  assert.equal(body.id, first.implementingBody.id);
  assert.deepEqual(await s.departmentById(body.id), body);
  const near = await s.hallsNear(township.code);
  assert.ok(near.length > 0 && first.halls.length > 0);

  await rename('regions_departments', body.id, 'renamed behind its back');
  await rename('regions_halls', first.halls[0]!.id, 'renamed behind its back');
  await rename('regions_halls', near[0]!.id, 'renamed behind its back');
  assert.deepEqual(await s.routeItem(req, village.code), first);
  assert.deepEqual(await s.implementingBody(req, village.code), body);
  assert.deepEqual(await s.departmentById(body.id), body);
  assert.deepEqual(await s.hallsNear(township.code), near);
  assert.equal((await s.departmentByKind('410105', kind))?.name, body.name);
  // a node that never read them reads the store (and the other node, once it forgets)
  const other = createRegionsService({ db: store.db, clock: systemClock });
  assert.equal((await other.departmentById(body.id))?.name, 'renamed behind its back');
  s.forget();
  assert.equal((await s.routeItem(req, village.code)).implementingBody.name, 'renamed behind its back');
  await rename('regions_departments', body.id, body.name);
  await rename('regions_halls', first.halls[0]!.id, first.halls[0]!.name);
  await rename('regions_halls', near[0]!.id, near[0]!.name);
});

test('an empty answer about an existing division is kept; one about a code of no division is not', async () => {
  const s = createRegionsService({ db: store.db, clock: systemClock });
  const township = (await s.children('410105'))[0]!;
  const village = (await s.children(township.code))[0]!;
  assert.deepEqual(await s.children(village.code), []);
  assert.deepEqual(await s.children('410199999999'), []);
  const added = (code: string, parent: string) =>
    sql`insert into regions_divisions (code, name, level, kind, parent_code, region_code)
        values (${code}, ${'测试'}, ${'village'}, ${'residents'}, ${parent}, ${code})`.execute(store.db);
  await added(`${village.code.slice(0, 9)}998`, village.code);
  await added('410199999998', '410199999999');
  try {
    assert.deepEqual(await s.children(village.code), [], 'kept: read once');
    assert.deepEqual(await s.children('410199999999'), [], 'no such division: still none');
    assert.equal(await s.getRegion('410199999999'), undefined);
  } finally {
    await sql`delete from regions_divisions where code in (${`${village.code.slice(0, 9)}998`}, ${'410199999998'})`.execute(
      store.db,
    );
  }
  // a department id of no department is not kept: the map holds only what exists
  assert.equal(await s.departmentById('no-such-department'), undefined);
});

test('what is kept is frozen: a caller cannot change what the next caller gets', async () => {
  const s = createRegionsService({ db: store.db, clock: systemClock });
  const region = (await s.getRegion('410105'))!;
  const dept = (await s.departments('410105'))[0]!;
  const hall = (await s.hallsNear('410105'))[0]!;
  for (const o of [region, dept, hall, hall.hours, (await s.findPath('410105'))[0]!])
    assert.ok(Object.isFrozen(o));
  assert.throws(() => {
    (dept as { name: string }).name = 'changed';
  }, TypeError);
  assert.notEqual((await s.departmentById(dept.id))?.name, 'changed');
});

test('a read begun before the node forgets is answered but not kept', async () => {
  const s = createRegionsService({ db: store.db, clock: systemClock });
  const dept = (await s.departments('410105'))[0]!;
  s.forget();
  const pending = s.departmentById(dept.id);
  s.forget(); // the directory changed while the read ran
  assert.equal((await pending)?.name, dept.name);
  await rename('regions_departments', dept.id, 'changed meanwhile');
  try {
    assert.equal((await s.departmentById(dept.id))?.name, 'changed meanwhile');
  } finally {
    await rename('regions_departments', dept.id, dept.name);
  }
});

test(`a committed change to the directory makes every node forget what it kept (${testDialect()})`, async () => {
  const loc = store.location;
  const wakeups =
    loc && 'databaseUrl' in loc
      ? pgWakeups(loc.databaseUrl, { reconnectMs: { min: 20, max: 200 } })
      : inProcessWakeups();
  await wakeups.start();
  try {
    const node = createRegionsService({ db: store.db, clock: systemClock, wakeups });
    const dept = (await node.departments('410105'))[0]!;
    assert.equal((await node.departmentById(dept.id))?.name, dept.name);
    const heard = wakeups.received;
    // another node (an operator's command) changes a department
    await rename('regions_departments', dept.id, 'changed by another node');
    if (testDialect() === 'sqlite')
      wakeups.local('regions_departments'); // one node: the writer tells
    else
      for (let i = 0; i < 500 && wakeups.received === heard; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await node.departmentById(dept.id))?.name, 'changed by another node');
    assert.equal(
      (await node.departments('410105')).find((d) => d.id === dept.id)?.name,
      'changed by another node',
    );
    await rename('regions_departments', dept.id, dept.name);
  } finally {
    await wakeups.close();
  }
});
