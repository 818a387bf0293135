import { CHINA_TIME_LABEL, chinaDateTime } from '../../kernel/index.js';
import {
  Button,
  PageHeading,
  SummaryList,
  Table,
  Tag,
  type TagColour,
  TextField,
  type ViewContext,
  renderPage,
} from '../../platform/views/index.js';
import type { LicenceStatus, LicenceSummary, VerificationResult } from './licences.types.js';

const STATUS_COLOUR: Record<LicenceStatus, TagColour> = {
  valid: 'green',
  revoked: 'red',
  superseded: 'grey',
  expired: 'yellow',
  notYetValid: 'blue',
};

export function validityText(ctx: ViewContext, from: string, to: string | null): string {
  return to === null
    ? `${from} — ${ctx.t('licences.validity.longTerm')}`
    : ctx.t('licences.validity.range', { from, to });
}

const verifyHref = (identifier: string) => `/licences/verify/${encodeURIComponent(identifier)}`;

export function walletPage(
  ctx: ViewContext,
  licences: readonly LicenceSummary[],
  uses: ReadonlyMap<
    string,
    ReadonlyArray<{
      caseNumber: string;
      departmentId: string | null;
      userName: string | null;
      purpose: string;
      usedAt: string;
    }>
  >,
): string {
  const { t } = ctx;
  const used = licences.filter((l) => (uses.get(l.identifier)?.length ?? 0) > 0);
  return renderPage(
    ctx,
    t('licences.wallet.title'),
    <>
      <PageHeading>{t('licences.wallet.title')}</PageHeading>
      <p>{t('licences.wallet.intro')}</p>
      <Table<LicenceSummary>
        caption={t('licences.wallet.caption')}
        empty={t('licences.wallet.empty')}
        rows={licences}
        columns={[
          { header: t('licences.col.type'), cell: (l) => l.typeName },
          { header: t('licences.col.number'), cell: (l) => l.licenceNumber },
          { header: t('licences.col.issuer'), cell: (l) => l.issuerName },
          { header: t('licences.col.validity'), cell: (l) => validityText(ctx, l.validFrom, l.validTo) },
          {
            header: t('licences.col.status'),
            cell: (l) => <Tag colour={STATUS_COLOUR[l.status]}>{t(`licences.status.${l.status}`)}</Tag>,
          },
          {
            header: t('licences.col.actions'),
            cell: (l) => (
              <>
                <a href={`/licences/${encodeURIComponent(l.identifier)}.pdf`}>
                  {t('licences.action.download')}
                  <span class="visually-hidden"> {l.typeName}</span>
                </a>{' '}
                <a href={verifyHref(l.identifier)}>
                  {t('licences.action.verify')}
                  <span class="visually-hidden"> {l.typeName}</span>
                </a>
              </>
            ),
          },
        ]}
      />
      <h2>{t('licences.wallet.uses')}</h2>
      {used.length === 0 ? <p>{t('licences.wallet.noUses')}</p> : null}
      {used.map((l) => (
        <Table
          caption={`${t('licences.wallet.uses')}: ${l.typeName}`}
          rows={uses.get(l.identifier) ?? []}
          columns={[
            {
              header: t('licences.col.case'),
              // the holder applied, so the case is theirs to open
              cell: (u) => <a href={`/cases/${encodeURIComponent(u.caseNumber)}`}>{u.caseNumber}</a>,
            },
            { header: t('licences.col.department'), cell: (u) => u.userName ?? u.departmentId ?? '—' },
            { header: t('licences.col.purpose'), cell: (u) => u.purpose },
            {
              header: t('licences.col.usedAt'),
              cell: (u) => `${chinaDateTime(u.usedAt)} ${CHINA_TIME_LABEL}`,
            },
          ]}
        />
      ))}
    </>,
  );
}

export function verifyPage(
  ctx: ViewContext,
  opts: { value?: string; error?: string; result?: VerificationResult },
): string {
  const { t } = ctx;
  const r = opts.result;
  return renderPage(
    ctx,
    t('licences.verify.title'),
    <>
      <PageHeading>{t('licences.verify.title')}</PageHeading>
      <p>{t('licences.verify.intro')}</p>
      <form method="get" action="/licences/verify" class="form" novalidate>
        <TextField
          name="id"
          label={t('licences.verify.label')}
          hint={t('licences.verify.hint')}
          value={opts.value ?? ''}
          error={opts.error}
          autocomplete="off"
          maxLength={120}
          required
        />
        <Button>{t('licences.verify.submit')}</Button>
      </form>
      {r ? (
        <section aria-labelledby="verify-result">
          <h2 id="verify-result">{t('licences.verify.resultTitle')}</h2>
          <p role="status">
            <Tag colour={r.valid ? 'green' : 'red'}>
              {r.valid ? t('licences.verify.validYes') : t('licences.verify.validNo')}
            </Tag>
          </p>
          <SummaryList
            rows={[
              { key: t('licences.verify.identifier'), value: <code>{r.identifier}</code> },
              { key: t('licences.verify.type'), value: r.type },
              { key: t('licences.verify.issuer'), value: r.issuer },
              { key: t('licences.verify.holder'), value: r.holder },
              { key: t('licences.verify.validity'), value: validityText(ctx, r.validFrom, r.validTo) },
              // the register status; the signature check is shown on its own row
              { key: t('licences.verify.status'), value: t(`licences.status.${r.status}`) },
              {
                key: t('licences.verify.signature'),
                value: r.signatureValid
                  ? t('licences.verify.signatureOk')
                  : t('licences.verify.signatureBad'),
              },
            ]}
          />
          <p>
            <a href={`/api/v1/licences/${encodeURIComponent(r.identifier)}/signature`}>
              {t('licences.verify.raw')}
            </a>
          </p>
          <p>
            <a href={`/log/object?type=licence&id=${encodeURIComponent(r.identifier)}`}>
              {t('licences.verify.log')}
            </a>
          </p>
        </section>
      ) : null}
    </>,
  );
}
