import { CHINA_TIME_LABEL, chinaDateTimeSeconds, chinaIso } from '../../kernel/index.js';
import {
  Breadcrumbs,
  Button,
  Notice,
  PageHeading,
  Panel,
  SummaryList,
  Table,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';

/** View-models: plain data, prepared by the routes. */
export interface LogHomeView {
  origin: string;
  size: number;
  rootHash: string;
  time: string;
  verifierKey: string;
  witnesses: string[];
  baseUrl: string;
}

export function LogHomePage({ ctx, v }: { ctx: ViewContext; v: LogHomeView }) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{t('ledger.page.title')}</PageHeading>
      <p class="lead">{t('ledger.page.lead')}</p>
      <Panel title={t('ledger.page.checkpoint')}>
        <SummaryList
          rows={[
            { key: t('ledger.page.origin'), value: <code>{v.origin}</code> },
            { key: t('ledger.page.size'), value: String(v.size) },
            { key: t('ledger.page.root'), value: <code style="overflow-wrap:anywhere">{v.rootHash}</code> },
            { key: t('ledger.page.time'), value: <ChinaTime at={v.time} /> },
            { key: t('ledger.page.key'), value: <code style="overflow-wrap:anywhere">{v.verifierKey}</code> },
            {
              key: t('ledger.page.witnesses'),
              value: v.witnesses.length ? v.witnesses.join(', ') : t('ledger.page.noWitnesses'),
            },
          ]}
        />
        <p>
          <a href="/log/checkpoint">/log/checkpoint</a> · <a href="/log/key">/log/key</a>
        </p>
      </Panel>
      <h2>{t('ledger.page.lookup')}</h2>
      <form method="get" action="/log/verify" class="search-form">
        <TextField
          name="index"
          type="text"
          inputmode="numeric"
          label={t('ledger.page.indexLabel')}
          hint={t('ledger.page.indexHint')}
          width="short"
          required
        />
        <Button>{t('ledger.page.verifyButton')}</Button>
      </form>
      <h2>{t('ledger.page.howTitle')}</h2>
      <p>{t('ledger.page.how1')}</p>
      <p>{t('ledger.page.how2')}</p>
      <pre>
        <code>{`npx tongban log verify --url ${v.baseUrl}/log`}</code>
      </pre>
      <p>{t('ledger.page.how3')}</p>
      <pre>
        <code>{`${v.baseUrl}/log/`}</code>
      </pre>
    </>
  );
}

export type LogVerifyView =
  | { kind: 'bad-index'; value: string }
  | { kind: 'not-yet'; index: number; size: number }
  | {
      kind: 'proof';
      index: number;
      entry: string;
      leafHash: string;
      hashes: string[];
      checkpointSize: number;
      rootHash: string;
      verified: boolean;
    };

export function LogVerifyPage({ ctx, v }: { ctx: ViewContext; v: LogVerifyView }) {
  const { t } = ctx;
  const crumbs = (
    <Breadcrumbs
      label={t('ledger.page.title')}
      items={[{ href: '/log', text: t('ledger.page.title') }, { text: t('ledger.verify.title') }]}
    />
  );
  if (v.kind === 'bad-index') {
    return (
      <>
        {crumbs}
        <PageHeading>{t('ledger.verify.title')}</PageHeading>
        <form method="get" action="/log/verify" class="search-form">
          <TextField
            name="index"
            inputmode="numeric"
            label={t('ledger.page.indexLabel')}
            error={t('ledger.verify.badIndex')}
            value={v.value}
            width="short"
            required
          />
          <Button>{t('ledger.page.verifyButton')}</Button>
        </form>
      </>
    );
  }
  if (v.kind === 'not-yet') {
    return (
      <>
        {crumbs}
        <PageHeading caption={`#${v.index}`}>{t('ledger.verify.title')}</PageHeading>
        <Notice kind="warning">{t('ledger.verify.notYet', { size: v.size })}</Notice>
        <p>
          <a href="/log">{t('ledger.verify.back')}</a>
        </p>
      </>
    );
  }
  return (
    <>
      {crumbs}
      <PageHeading caption={`#${v.index}`}>{t('ledger.verify.title')}</PageHeading>
      <Notice kind={v.verified ? 'success' : 'warning'}>
        {v.verified ? t('ledger.verify.ok') : t('ledger.verify.failed')}
      </Notice>
      <SummaryList
        rows={[
          { key: t('ledger.verify.entry'), value: <code style="overflow-wrap:anywhere">{v.entry}</code> },
          {
            key: t('ledger.verify.leafHash'),
            value: <code style="overflow-wrap:anywhere">{v.leafHash}</code>,
          },
          {
            key: t('ledger.verify.against'),
            value: (
              <span>
                {t('ledger.page.size')} {v.checkpointSize} · {t('ledger.page.root')}{' '}
                <code style="overflow-wrap:anywhere">{v.rootHash}</code>
              </span>
            ),
          },
        ]}
      />
      <div
        data-log-proof
        data-index={String(v.index)}
        data-size={String(v.checkpointSize)}
        data-entry={v.entry}
        data-hashes={JSON.stringify(v.hashes)}
        data-root={v.rootHash}
        data-ok-text={t('ledger.verify.browserOk')}
        data-fail-text={t('ledger.verify.browserFailed')}
      />
      <p id="browser-check" role="status" hidden />
      <script src="/log/verify.js" defer />
      <div class="table-wrap">
        <table class="table">
          <caption>{t('ledger.verify.proofCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('ledger.verify.step')}</th>
              <th scope="col">{t('ledger.verify.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {v.hashes.map((h, i) => (
              <tr>
                <td>{i + 1}</td>
                <td>
                  <code style="overflow-wrap:anywhere">{h}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        {t('ledger.verify.browserCheck')}{' '}
        <a href={`/api/v1/log/proof/inclusion?index=${v.index}&size=${v.checkpointSize}`}>
          /api/v1/log/proof/inclusion?index={v.index}&amp;size={v.checkpointSize}
        </a>
      </p>
      <p>
        <a href="/log">{t('ledger.verify.back')}</a>
      </p>
    </>
  );
}

/** A stored UTC instant shown in China time, to the second (the machine-readable one keeps +08:00). */
function ChinaTime({ at }: { at: string }) {
  return (
    <time dateTime={chinaIso(at)}>
      {chinaDateTimeSeconds(at)} {CHINA_TIME_LABEL}
    </time>
  );
}

/** The records of one object (a case, a licence) in the log, each with its "verify" link. */
export function LogObjectPage({
  ctx,
  objectType,
  objectId,
  leaves,
}: {
  ctx: ViewContext;
  objectType: string;
  objectId: string;
  leaves: ReadonlyArray<{ index: number; type: string; time: string }>;
}) {
  return (
    <div>
      <PageHeading caption={ctx.t('ledger.page.title')}>{ctx.t('ledger.object.title')}</PageHeading>
      <p>{ctx.t('ledger.object.lead', { type: objectType, id: objectId })}</p>
      <Table
        caption={ctx.t('ledger.object.caption', { n: leaves.length })}
        empty={ctx.t('ledger.object.none')}
        columns={[
          {
            header: ctx.t('ledger.object.index'),
            cell: (l: (typeof leaves)[number]) => l.index,
            numeric: true,
          },
          {
            header: ctx.t('ledger.object.event'),
            cell: (l: (typeof leaves)[number]) => <code>{l.type}</code>,
          },
          {
            header: ctx.t('ledger.object.time'),
            cell: (l: (typeof leaves)[number]) => <ChinaTime at={l.time} />,
          },
          {
            header: ctx.t('ledger.object.verify'),
            cell: (l: (typeof leaves)[number]) => (
              <a href={`/log/verify?index=${l.index}`}>
                {ctx.t('ledger.object.verifyLink', { index: l.index })}
              </a>
            ),
          },
        ]}
        rows={leaves}
      />
    </div>
  );
}
