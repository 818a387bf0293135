/**
 * The traffic of scripts/rolling-upgrade.sh: the previous release's node and the new one, on one
 * database, each answering what the other wrote. Over HTTP only (it must speak to a node of any
 * release), with the demo city's accounts:
 *   - sign in on each node (a bearer token) and use that token on the other;
 *   - read the item on each;
 *   - the citizen applies on one node, the case is read on the other, a window accepts it there,
 *     and the first node reads it accepted; then the same the other way round;
 *   - /healthz on each.
 * Prints one line per step; exits 1 on the first answer that is not the expected one.
 *
 *   node --import tsx scripts/rolling-upgrade.traffic.ts http://127.0.0.1:PORT_OLD http://127.0.0.1:PORT_NEW
 */
const [oldUrl, newUrl] = process.argv.slice(2);
if (!oldUrl || !newUrl) {
  process.stderr.write('usage: rolling-upgrade.traffic.ts OLD_URL NEW_URL\n');
  process.exit(2);
}
const nodes = { old: oldUrl, new: newUrl } as const;
type NodeName = keyof typeof nodes;
const other = (n: NodeName): NodeName => (n === 'old' ? 'new' : 'old');
// 食品小经营店登记 (郑州市市场监督管理局), applied for online by the demo citizen
const ITEM = '11410100297017523N01003401100000';
const PASSWORD = 'tongban-demo';

async function call(
  node: NodeName,
  method: 'GET' | 'POST',
  path: string,
  opts: { token?: string; body?: unknown; want: number },
): Promise<unknown> {
  const r = await fetch(`${nodes[node]}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await r.text();
  if (r.status !== opts.want) {
    process.stderr.write(
      `FAIL ${node} ${method} ${path}: ${r.status} (wanted ${opts.want}) ${text.slice(0, 300)}\n`,
    );
    process.exit(1);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}

const step = (s: string) => process.stdout.write(`ok ${s}\n`);

async function login(node: NodeName, login: string): Promise<string> {
  const r = (await call(node, 'POST', '/api/v1/auth/login', {
    body: { login, password: PASSWORD },
    want: 200,
  })) as { token?: string };
  if (!r.token) throw new Error('no token');
  return r.token;
}

/** the item's application form, answered (its fields as the demo catalogue publishes them) */
const FORM = {
  applicantName: '滚动升级',
  idNumber: '410105199001011234',
  mobile: '13800138000',
  address: '郑州市金水区',
  requestDetails: '升级期间的申请',
  deliveryMethod: '窗口领取',
};

const citizen = { old: await login('old', 'citizen'), new: await login('new', 'citizen') };
const window = { old: await login('old', 'admin'), new: await login('new', 'admin') };
step('signed in on each node');
for (const n of ['old', 'new'] as const) {
  const me = (await call(n, 'GET', '/api/v1/me', { token: citizen[other(n)], want: 200 })) as {
    login: string;
  };
  if (me.login !== 'citizen') throw new Error(`me on ${n}: ${me.login}`);
}
step("each node accepts the other's token");

for (const n of ['old', 'new'] as const) {
  const item = (await call(n, 'GET', `/api/v1/items/${ITEM}`, { want: 200 })) as {
    implementationCode: string;
  };
  if (item.implementationCode !== ITEM) throw new Error(`item on ${n}: ${item.implementationCode}`);
}
step('the item reads on each node');

for (const writer of ['old', 'new'] as const) {
  const reader = other(writer);
  const created = (await call(writer, 'POST', '/api/v1/cases', {
    token: citizen[writer],
    body: { implementationCode: ITEM, regionCode: '410105001', form: FORM },
    want: 201,
  })) as { caseNumber: string };
  const n = created.caseNumber;
  const seen = (await call(reader, 'GET', `/api/v1/cases/${n}`, { token: citizen[reader], want: 200 })) as {
    status: string;
  };
  await call(reader, 'POST', `/api/v1/cases/${n}/actions`, {
    token: window[reader],
    body: { action: 'accept' },
    want: 200,
  });
  const after = (await call(writer, 'GET', `/api/v1/cases/${n}`, { token: citizen[writer], want: 200 })) as {
    status: string;
  };
  if (after.status === seen.status) {
    process.stderr.write(`FAIL case ${n}: still ${after.status} on the ${writer} node after the accept\n`);
    process.exit(1);
  }
  step(
    `applied on ${writer} (${n}, ${seen.status}), accepted on ${reader}, read ${after.status} on ${writer}`,
  );
}

for (const n of ['old', 'new'] as const) await call(n, 'GET', '/healthz', { want: 200 });
step('both nodes healthy');
