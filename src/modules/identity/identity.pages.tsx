import { CHINA_TIME_LABEL, type FieldIssue, chinaDate, chinaDateTimeSeconds } from '../../kernel/index.js';
import {
  BackLink,
  Button,
  CsrfField,
  ErrorSummary,
  Notice,
  PageHeading,
  RadioGroup,
  SelectField,
  SummaryList,
  type SummaryRow,
  Table,
  Tag,
  TextArea,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';
import { ROLES } from './identity.permissions.js';
import type { AccountView } from './identity.accounts.js';
import {
  type AccountHistoryEntry,
  type AdminAccountView,
  type GrantView,
  REASON_MAX,
} from './identity.admin.js';
import type { CreditCodeHolders, OrganizationStatus, PendingOrganization } from './identity.organizations.js';

/** Form problems with their messages: the error summary on top, each field's message beside it. */
export type Issues = ReadonlyArray<FieldIssue & { message: string }>;
const fieldError = (issues: Issues, field: string) => issues.find((i) => i.field === field)?.message;

export function LoginPage({
  ctx,
  issues,
  values,
  next,
  providers = [],
  linkPending = false,
}: {
  ctx: ViewContext;
  issues: Issues;
  values: { login?: string };
  next: string;
  providers?: ReadonlyArray<{ id: string; name: string }>;
  linkPending?: boolean;
}) {
  const { t } = ctx;
  const others = providers.length ? (
    <section aria-labelledby="federated-h">
      <h2 id="federated-h">{t('identity.login.federatedTitle')}</h2>
      <ul>
        {providers.map((p) => (
          <li>
            <a href={`/login/federated/${p.id}?next=${encodeURIComponent(next)}`}>
              {t('identity.login.federatedWith', { name: p.name })}
            </a>
          </li>
        ))}
      </ul>
    </section>
  ) : null;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading>{t('identity.login.title')}</PageHeading>
      <p>{t('identity.login.intro')}</p>
      {linkPending ? <Notice kind="warning">{t('identity.login.linkPending')}</Notice> : null}
      {ctx.demo ? <Notice>{t('identity.login.demoHint')}</Notice> : null}
      <form method="post" action="/login" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="next" value={next} />
        <TextField
          name="login"
          label={t('identity.login.login')}
          value={values.login}
          autocomplete="username"
          error={fieldError(issues, 'login')}
          required
        />
        <TextField
          name="password"
          type="password"
          label={t('identity.login.password')}
          autocomplete="current-password"
          error={fieldError(issues, 'password')}
          required
        />
        <Button>{t('identity.login.submit')}</Button>
      </form>
      <p>
        <a href="/register">{t('identity.login.register')}</a> ·{' '}
        <a href="/password/reset">{t('identity.login.forgot')}</a>
      </p>
      {others}
    </div>
  );
}

export function RegisterPage({
  ctx,
  kind,
  issues,
  values,
}: {
  ctx: ViewContext;
  kind: 'person' | 'organization';
  issues: Issues;
  values: Record<string, string>;
}) {
  const { t } = ctx;
  const f = (name: string, label: string, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField
      name={name}
      label={t(label)}
      value={name.toLowerCase().includes('password') ? '' : values[name]}
      error={fieldError(issues, name)}
      {...extra}
    />
  );
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={t('identity.register.title')}>
        {t(kind === 'person' ? 'identity.register.person' : 'identity.register.organization')}
      </PageHeading>
      <p>
        <a href={kind === 'person' ? '/register?kind=organization' : '/register'}>
          {t(
            kind === 'person' ? 'identity.register.switchToOrganization' : 'identity.register.switchToPerson',
          )}
        </a>
      </p>
      <form method="post" action="/register" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="kind" value={kind} />
        {kind === 'person' ? (
          <>
            {f('name', 'identity.register.name', { autocomplete: 'name' })}
            {f('idNumber', 'identity.register.idNumber', {
              hint: t('identity.register.idNumberHint'),
              width: 'medium',
              maxLength: 18,
            })}
            {f('mobile', 'identity.register.mobile', {
              type: 'tel',
              autocomplete: 'tel',
              inputmode: 'tel',
              width: 'medium',
            })}
          </>
        ) : (
          <>
            {f('name', 'identity.register.orgName', { autocomplete: 'organization' })}
            {f('creditCode', 'identity.register.creditCode', {
              hint: t('identity.register.creditCodeHint'),
              width: 'medium',
              maxLength: 18,
            })}
            {f('legalRepresentative', 'identity.register.legalRepresentative')}
            <fieldset class="fieldset">
              <legend class="field-label">{t('identity.register.agent')}</legend>
              {f('agentName', 'identity.register.agentName', { autocomplete: 'name' })}
              {f('agentIdNumber', 'identity.register.agentIdNumber', {
                hint: t('identity.register.idNumberHint'),
                width: 'medium',
                maxLength: 18,
              })}
              {f('agentMobile', 'identity.register.agentMobile', {
                type: 'tel',
                autocomplete: 'tel',
                inputmode: 'tel',
                width: 'medium',
              })}
            </fieldset>
          </>
        )}
        {f('login', 'identity.register.login', {
          hint: t('identity.register.loginHint'),
          autocomplete: 'username',
          width: 'medium',
        })}
        {f('password', 'identity.register.password', {
          type: 'password',
          hint: t('identity.register.passwordHint'),
          autocomplete: 'new-password',
        })}
        <Button>{t('identity.register.submit')}</Button>
      </form>
    </div>
  );
}

/** Registration, step two: the code sent to the registrant's phone. */
export function RegisterCodePage({
  ctx,
  registrationId,
  sentTo,
  issues,
}: {
  ctx: ViewContext;
  registrationId: string;
  sentTo: string;
  issues: Issues;
}) {
  const { t } = ctx;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={t('identity.register.title')}>{t('identity.register.codeTitle')}</PageHeading>
      <p>{t('identity.register.codeSent', { mobile: sentTo })}</p>
      <form method="post" action="/register/confirm" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="registrationId" value={registrationId} />
        <input type="hidden" name="sentTo" value={sentTo} />
        <TextField
          name="code"
          label={t('identity.register.code')}
          hint={t('identity.register.codeHint')}
          error={fieldError(issues, 'code')}
          autocomplete="one-time-code"
          inputmode="numeric"
          width="short"
          maxLength={6}
        />
        <Button>{t('identity.register.confirm')}</Button>
      </form>
      <p>
        <a href="/register">{t('identity.register.again')}</a>
      </p>
    </div>
  );
}

export interface DelegationRow {
  id: string;
  direction: 'given' | 'received';
  principalName: string;
  agentName: string;
  agentLogin: string;
  scopes: string[];
  validTo: string;
  active: boolean;
}

export function AccountPage({
  ctx,
  account,
  delegations,
  organization,
  pending = [],
  issues,
  values,
  notice,
  inPersonCode,
  history = [],
}: {
  ctx: ViewContext;
  account: AccountView;
  delegations: readonly DelegationRow[];
  /** an organisation's own verification state */
  organization?: OrganizationStatus | undefined;
  /** for a legal representative: organisation accounts awaiting their confirmation */
  pending?: readonly PendingOrganization[];
  issues: Issues;
  values: Record<string, string>;
  notice?: string | undefined;
  /** a one-time code just issued: shown once, never stored readable */
  inPersonCode?: { code: string; minutes: number } | undefined;
  history?: readonly AccountHistoryEntry[];
}) {
  const { t } = ctx;
  const rows = [
    { key: t('identity.account.kind'), value: t(`identity.account.kind.${account.kind}`) },
    { key: t('identity.account.login'), value: account.login },
    { key: t('identity.account.name'), value: account.name },
  ];
  if (account.idNumberMasked)
    rows.push({ key: t('identity.account.idNumber'), value: account.idNumberMasked });
  if (account.creditCode) rows.push({ key: t('identity.account.creditCode'), value: account.creditCode });
  if (account.mobileMasked) rows.push({ key: t('identity.account.mobile'), value: account.mobileMasked });
  rows.push({
    key: t('identity.account.level'),
    value: t(
      account.kind === 'organization'
        ? `identity.org.level.${account.realNameLevel}`
        : `identity.account.level.${account.realNameLevel}`,
    ),
  });
  rows.push({
    key: t('identity.account.roles'),
    value: account.roles
      .map(
        (r) =>
          `${t(`identity.role.${r.role}`)} (${r.regionPrefix || t('identity.account.scopeAll')}${r.departmentId ? ` · ${r.departmentId}` : ''})`,
      )
      .join('；'),
  });
  return (
    <div>
      <ErrorSummary ctx={ctx} issues={issues} />
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <PageHeading>{t('identity.account.title')}</PageHeading>
      <h2>{t('identity.account.profile')}</h2>
      <SummaryList rows={rows} />

      {organization ? <OrganizationSection ctx={ctx} login={account.login} status={organization} /> : null}
      {pending.length ? <PendingOrganizations ctx={ctx} rows={pending} /> : null}

      {account.kind === 'person' && !account.idNumberMasked ? (
        <Notice kind="warning">{t('identity.account.idNumberReleased')}</Notice>
      ) : null}

      {account.kind === 'person' && account.idNumberMasked && account.realNameLevel < 2 ? (
        <section aria-labelledby="verify-h">
          <h2 id="verify-h">{t('identity.account.verifyTitle')}</h2>
          <p>{t('identity.account.verifyIntro')}</p>
          <form method="post" action="/account/verify" novalidate>
            <CsrfField ctx={ctx} />
            <TextField
              name="mobile"
              type="tel"
              inputmode="tel"
              width="medium"
              label={t('identity.account.verifyMobile')}
              value={values.mobile}
              error={fieldError(issues, 'mobile')}
            />
            <TextField
              name="bankCard"
              inputmode="numeric"
              width="medium"
              label={t('identity.account.verifyBankCard')}
              value={values.bankCard}
              error={fieldError(issues, 'bankCard')}
            />
            <TextField
              name="socialSecurityCard"
              width="medium"
              label={t('identity.account.verifySocialSecurity')}
              value={values.socialSecurityCard}
            />
            <Button>{t('identity.account.verifySubmit')}</Button>
          </form>
        </section>
      ) : null}

      {account.kind === 'person' && account.realNameLevel < 3 ? (
        <section aria-labelledby="in-person-h">
          <h2 id="in-person-h">{t('identity.account.inPersonTitle')}</h2>
          <p>{t('identity.account.inPersonIntro')}</p>
          {inPersonCode ? (
            <div class="notice notice-success" role="status">
              <p>{t('identity.account.inPersonCodeIs')}</p>
              <p class="one-time-code">{`${inPersonCode.code.slice(0, 4)} ${inPersonCode.code.slice(4)}`}</p>
              <p>
                {t('identity.account.inPersonCodeValid', {
                  minutes: inPersonCode.minutes,
                  login: account.login,
                })}
              </p>
            </div>
          ) : null}
          <form method="post" action="/account/in-person-code">
            <CsrfField ctx={ctx} />
            <Button variant="secondary">
              {t(inPersonCode ? 'identity.account.inPersonCodeAgain' : 'identity.account.inPersonCodeGet')}
            </Button>
          </form>
        </section>
      ) : null}

      <section aria-labelledby="password-h">
        <h2 id="password-h">{t('identity.account.passwordTitle')}</h2>
        <form method="post" action="/account/password" novalidate>
          <CsrfField ctx={ctx} />
          <TextField
            name="currentPassword"
            type="password"
            autocomplete="current-password"
            label={t('identity.account.currentPassword')}
            error={fieldError(issues, 'currentPassword')}
          />
          <TextField
            name="newPassword"
            type="password"
            autocomplete="new-password"
            label={t('identity.account.newPassword')}
            hint={t('identity.register.passwordHint')}
            error={fieldError(issues, 'newPassword')}
          />
          <Button>{t('identity.account.passwordSubmit')}</Button>
        </form>
      </section>

      {account.kind === 'person' ? (
        <section aria-labelledby="delegations-h">
          <h2 id="delegations-h">{t('identity.account.delegationsTitle')}</h2>
          <p>{t('identity.account.delegationsIntro')}</p>
          <Table
            caption={t('identity.account.delegationsCaption')}
            rows={delegations}
            columns={[
              {
                header: t('identity.account.delegationDirection'),
                cell: (d) =>
                  t(
                    d.direction === 'given'
                      ? 'identity.account.delegationGiven'
                      : 'identity.account.delegationReceived',
                  ),
              },
              {
                header: t('identity.account.delegationAgent'),
                cell: (d) => (d.direction === 'given' ? `${d.agentName} (${d.agentLogin})` : d.principalName),
              },
              {
                header: t('identity.account.delegationScope'),
                cell: (d) =>
                  d.scopes.includes('*') ? t('identity.account.delegationScopeAll') : d.scopes.join('、'),
              },
              { header: t('identity.account.delegationValidTo'), cell: (d) => chinaDate(d.validTo) },
              {
                header: t('identity.account.delegationStatus'),
                cell: (d) =>
                  d.active && d.direction === 'given' ? (
                    <form method="post" action={`/account/delegations/${d.id}/revoke`} class="inline-form">
                      <CsrfField ctx={ctx} />
                      {t('identity.account.delegationActive')}{' '}
                      <button type="submit" class="link-button">
                        {t('identity.account.delegationRevoke')}
                      </button>
                    </form>
                  ) : (
                    t(d.active ? 'identity.account.delegationActive' : 'identity.account.delegationInactive')
                  ),
              },
            ]}
          />
          <form method="post" action="/account/delegations" novalidate>
            <CsrfField ctx={ctx} />
            <TextField
              name="agentLogin"
              width="medium"
              label={t('identity.account.delegationAgent')}
              value={values.agentLogin}
              error={fieldError(issues, 'agentLogin')}
            />
            <TextField
              name="validTo"
              type="date"
              width="medium"
              label={t('identity.account.delegationValidTo')}
              value={values.validTo}
              error={fieldError(issues, 'validTo')}
            />
            <Button variant="secondary">{t('identity.account.delegationSubmit')}</Button>
          </form>
        </section>
      ) : null}

      {history.length ? (
        <section aria-labelledby="history-h">
          <h2 id="history-h">{t('identity.account.historyTitle')}</h2>
          <p>{t('identity.account.historyIntro')}</p>
          <AccountHistoryTable ctx={ctx} history={history} />
        </section>
      ) : null}

      <section aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t('identity.account.sessionsTitle')}</h2>
        <p>{t('identity.account.logoutAllHint')}</p>
        <form method="post" action="/account/logout-all">
          <CsrfField ctx={ctx} />
          <Button variant="warning">{t('identity.account.logoutAll')}</Button>
        </form>
      </section>
    </div>
  );
}

/** 现场核验: a window clerk checks a person and their ID card against the code they show. */
export function InPersonCheckPage({
  ctx,
  issues,
  values,
  minutes,
  done,
}: {
  ctx: ViewContext;
  issues: Issues;
  values: Record<string, string>;
  /** how long a code lives */
  minutes: number;
  /** the login just raised to L3 */
  done?: string | undefined;
}) {
  const { t } = ctx;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      {done ? <Notice kind="success">{t('identity.inPerson.done', { login: done })}</Notice> : null}
      <PageHeading>{t('identity.inPerson.title')}</PageHeading>
      <p>{t('identity.inPerson.intro')}</p>
      <form method="post" action="/staff/verify-in-person" novalidate>
        <CsrfField ctx={ctx} />
        <TextField
          name="login"
          width="medium"
          autocomplete="off"
          label={t('identity.inPerson.login')}
          value={done ? '' : values.login}
          error={fieldError(issues, 'login')}
        />
        <TextField
          name="code"
          width="medium"
          inputmode="numeric"
          autocomplete="off"
          label={t('identity.inPerson.code')}
          hint={t('identity.inPerson.codeHint', { minutes })}
          error={fieldError(issues, 'code')}
        />
        <TextField
          name="name"
          width="medium"
          autocomplete="off"
          label={t('identity.inPerson.name')}
          value={done ? '' : values.name}
          error={fieldError(issues, 'name')}
        />
        <TextField
          name="idNumber"
          width="medium"
          autocomplete="off"
          label={t('identity.inPerson.idNumber')}
          value={done ? '' : values.idNumber}
          error={fieldError(issues, 'idNumber')}
        />
        <Button>{t('identity.inPerson.submit')}</Button>
      </form>
    </div>
  );
}

export function ResetRequestPage({ ctx, sent, issues }: { ctx: ViewContext; sent: boolean; issues: Issues }) {
  const { t } = ctx;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading>{t('identity.reset.title')}</PageHeading>
      {sent ? <Notice kind="success">{t('identity.reset.sent')}</Notice> : null}
      <p>{t('identity.reset.intro')}</p>
      <form method="post" action="/password/reset/request" novalidate>
        <CsrfField ctx={ctx} />
        <TextField
          name="login"
          label={t('identity.reset.login')}
          autocomplete="username"
          width="medium"
          error={fieldError(issues, 'login')}
        />
        <TextField
          name="mobile"
          type="tel"
          inputmode="tel"
          label={t('identity.reset.mobile')}
          autocomplete="tel"
          width="medium"
          error={fieldError(issues, 'mobile')}
        />
        <Button>{t('identity.reset.submit')}</Button>
      </form>
    </div>
  );
}

export function ResetPasswordPage({
  ctx,
  token,
  issues,
}: {
  ctx: ViewContext;
  token: string;
  issues: Issues;
}) {
  const { t } = ctx;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading>{t('identity.reset.newTitle')}</PageHeading>
      <form method="post" action="/password/reset" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="token" value={token} />
        <TextField
          name="newPassword"
          type="password"
          autocomplete="new-password"
          label={t('identity.reset.newPassword')}
          hint={t('identity.register.passwordHint')}
          error={fieldError(issues, 'newPassword')}
        />
        <TextField
          name="confirmPassword"
          type="password"
          autocomplete="new-password"
          label={t('identity.reset.confirmPassword')}
          error={fieldError(issues, 'confirmPassword')}
        />
        <Button>{t('identity.reset.newSubmit')}</Button>
      </form>
    </div>
  );
}

export function MessagePage({
  title,
  message,
  link,
}: {
  title: string;
  message: string;
  link?: { href: string; text: string };
}) {
  return (
    <div class="narrow">
      <PageHeading>{title}</PageHeading>
      <Notice kind="success">{message}</Notice>
      {link ? (
        <p>
          <a href={link.href}>{link.text}</a>
        </p>
      ) : null}
    </div>
  );
}

export function MailboxPage({
  ctx,
  rows,
}: {
  ctx: ViewContext;
  rows: ReadonlyArray<{ created_at: string; recipient_masked: string; channel: string; body: string }>;
}) {
  const { t } = ctx;
  return (
    <div>
      <PageHeading>{t('identity.mailbox.title')}</PageHeading>
      <p>{t('identity.mailbox.intro')}</p>
      <Table
        caption={t('identity.mailbox.caption')}
        rows={rows}
        columns={[
          { header: t('identity.mailbox.time'), cell: (r) => when(r.created_at) },
          { header: t('identity.mailbox.to'), cell: (r) => r.recipient_masked },
          { header: t('identity.mailbox.channel'), cell: (r) => r.channel },
          { header: t('identity.mailbox.body'), cell: (r) => <LinkedText text={r.body} /> },
        ]}
      />
    </div>
  );
}

/** Shows a message with its local links clickable (the reset link in a dev text message). */
function LinkedText({ text }: { text: string }) {
  const m = /(https?:\/\/\S+?)(\s|$)/.exec(text);
  if (!m) return <>{text}</>;
  const url = new URL(m[1]!);
  const local = `${url.pathname}${url.search}`;
  return (
    <>
      {text.slice(0, m.index)}
      <a href={local}>{m[1]}</a>
      {text.slice(m.index + m[1]!.length)}
    </>
  );
}

/** When an action happened, in China time (UTC+8), to the second. */
const when = (iso: string) => `${chinaDateTimeSeconds(iso)} ${CHINA_TIME_LABEL}`;

const scopeText = (ctx: ViewContext, g: { regionPrefix: string; departmentId: string | null }) =>
  `${g.regionPrefix || ctx.t('identity.account.scopeAll')}${g.departmentId ? ` · ${g.departmentId}` : ''}`;

const rolesText = (ctx: ViewContext, a: AccountView) =>
  a.roles.map((r) => `${ctx.t(`identity.role.${r.role}`)} (${scopeText(ctx, r)})`).join('；');

function StatusTag({ ctx, status }: { ctx: ViewContext; status: 'active' | 'disabled' }) {
  return <Tag colour={status === 'active' ? 'green' : 'red'}>{ctx.t(`identity.admin.status.${status}`)}</Tag>;
}

/** An account's administrative history: what was done, why, by whom, when (newest first). */
export function AccountHistoryTable({
  ctx,
  history,
}: {
  ctx: ViewContext;
  history: readonly AccountHistoryEntry[];
}) {
  const { t } = ctx;
  return (
    <Table
      caption={t('identity.admin.historyCaption')}
      rows={history}
      empty={t('identity.admin.historyNone')}
      columns={[
        { header: t('identity.admin.historyTime'), cell: (h) => when(h.at) },
        { header: t('identity.admin.historyAction'), cell: (h) => t(`identity.admin.history.${h.action}`) },
        { header: t('identity.admin.reason'), cell: (h) => h.reason },
        {
          header: t('identity.admin.historyBy'),
          cell: (h) => (h.actor === 'operator' ? t('identity.admin.operator') : h.actor),
        },
      ]}
    />
  );
}

export function AdminAccountsPage({
  ctx,
  staff,
  issues,
  notice,
  values = {},
}: {
  ctx: ViewContext;
  staff: ReadonlyArray<AccountView & { status: 'active' | 'disabled' }>;
  issues: Issues;
  notice?: string | undefined;
  values?: Record<string, string | undefined>;
}) {
  const { t } = ctx;
  return (
    <div>
      <ErrorSummary ctx={ctx} issues={issues} />
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <PageHeading>{t('identity.admin.title')}</PageHeading>
      <section aria-labelledby="find-h">
        <h2 id="find-h">{t('identity.admin.findTitle')}</h2>
        <form method="get" action="/admin/accounts/find" novalidate>
          <TextField
            name="login"
            width="medium"
            label={t('identity.admin.findLogin')}
            hint={t('identity.admin.findHint')}
            value={values.login}
            autocomplete="off"
            error={fieldError(issues, 'login')}
          />
          <Button variant="secondary">{t('identity.admin.findSubmit')}</Button>
        </form>
      </section>
      <Table
        caption={t('identity.admin.caption')}
        rows={staff}
        columns={[
          {
            header: t('identity.admin.login'),
            cell: (a) => <a href={`/admin/accounts/${a.id}`}>{a.login}</a>,
          },
          { header: t('identity.admin.name'), cell: (a) => a.name },
          { header: t('identity.admin.status'), cell: (a) => <StatusTag ctx={ctx} status={a.status} /> },
          { header: t('identity.admin.roles'), cell: (a) => rolesText(ctx, a) },
        ]}
      />
      <h2>{t('identity.admin.addGrant')}</h2>
      <form method="post" action="/admin/accounts/grants" novalidate>
        <CsrfField ctx={ctx} />
        <SelectField
          name="accountId"
          label={t('identity.admin.account')}
          options={staff.map((a) => ({ value: a.id, label: `${a.login} (${a.name})` }))}
        />
        <RadioGroup
          name="role"
          legend={t('identity.admin.role')}
          value="windowClerk"
          options={ROLES.filter(
            (r) => r !== 'citizen' && r !== 'enterpriseAgent' && r !== 'dataConsumer',
          ).map((r) => ({ value: r, label: t(`identity.role.${r}`) }))}
        />
        <TextField
          name="regionPrefix"
          width="medium"
          inputmode="numeric"
          label={t('identity.admin.regionPrefix')}
          hint={t('identity.admin.regionPrefixHint')}
          error={fieldError(issues, 'regionPrefix')}
        />
        <TextField name="departmentId" width="medium" label={t('identity.admin.departmentId')} />
        <Button>{t('identity.admin.addGrant')}</Button>
      </form>
    </div>
  );
}

/** The reason field every administrative action asks for. */
function ReasonField({
  ctx,
  issues,
  value,
}: {
  ctx: ViewContext;
  issues: Issues;
  value?: string | undefined;
}) {
  return (
    <TextArea
      name="reason"
      rows={3}
      maxLength={REASON_MAX}
      required
      label={ctx.t('identity.admin.reason')}
      hint={ctx.t('identity.admin.reasonHint')}
      value={value}
      error={fieldError(issues, 'reason')}
    />
  );
}

/** One account as its administrator sees it: details, status, grants, the status form, history. */
export function AdminAccountPage({
  ctx,
  account,
  issues,
  notice,
  values = {},
}: {
  ctx: ViewContext;
  account: AdminAccountView;
  issues: Issues;
  notice?: string | undefined;
  values?: Record<string, string | undefined>;
}) {
  const { t } = ctx;
  const a = account;
  const rows: SummaryRow[] = [
    { key: t('identity.account.kind'), value: t(`identity.account.kind.${a.kind}`) },
    { key: t('identity.account.login'), value: a.login },
    { key: t('identity.account.name'), value: a.name },
    { key: t('identity.admin.status'), value: <StatusTag ctx={ctx} status={a.status} /> },
  ];
  if (a.idNumberMasked) rows.push({ key: t('identity.account.idNumber'), value: a.idNumberMasked });
  if (a.creditCode) rows.push({ key: t('identity.account.creditCode'), value: a.creditCode });
  if (a.mobileMasked) rows.push({ key: t('identity.account.mobile'), value: a.mobileMasked });
  if (a.regionCode) rows.push({ key: t('identity.admin.region'), value: a.regionCode });
  if (a.departmentId) rows.push({ key: t('identity.admin.department'), value: a.departmentId });
  rows.push({ key: t('identity.account.level'), value: t(`identity.account.level.${a.realNameLevel}`) });
  const disabled = a.status === 'disabled';
  const base = `/admin/accounts/${a.id}`;
  return (
    <div>
      <BackLink href="/admin/accounts">{t('identity.admin.title')}</BackLink>
      <ErrorSummary ctx={ctx} issues={issues} />
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <PageHeading caption={t('identity.admin.accountCaption')}>{a.login}</PageHeading>
      <SummaryList rows={rows} />

      <section aria-labelledby="grants-h">
        <h2 id="grants-h">{t('identity.admin.grantsTitle')}</h2>
        <Table
          caption={t('identity.admin.grantsCaption')}
          rows={a.grants}
          empty={t('identity.admin.grantsNone')}
          columns={[
            { header: t('identity.admin.role'), cell: (g) => t(`identity.role.${g.role}`) },
            { header: t('identity.admin.grantScope'), cell: (g) => scopeText(ctx, g) },
            { header: t('identity.admin.grantSince'), cell: (g) => when(g.createdAt) },
            {
              header: t('identity.admin.grantAction'),
              cell: (g) => (
                // the accessible name starts with the visible word (WCAG 2.5.3) and says which grant;
                // not a visually hidden span: absolutely placed, it would widen a phone's page
                <a
                  href={`${base}/grants/${g.id}/revoke`}
                  aria-label={`${t('identity.admin.revoke')} ${t(`identity.role.${g.role}`)} (${scopeText(ctx, g)})`}
                >
                  {t('identity.admin.revoke')}
                </a>
              ),
            },
          ]}
        />
      </section>

      <section aria-labelledby="status-h">
        <h2 id="status-h">{t(disabled ? 'identity.admin.enableTitle' : 'identity.admin.disableTitle')}</h2>
        <p>{t(disabled ? 'identity.admin.enableIntro' : 'identity.admin.disableIntro')}</p>
        <form method="post" action={`${base}/${disabled ? 'enable' : 'disable'}`} novalidate>
          <CsrfField ctx={ctx} />
          <ReasonField ctx={ctx} issues={issues} value={values.reason} />
          <Button variant={disabled ? 'primary' : 'warning'}>
            {t(disabled ? 'identity.admin.enableSubmit' : 'identity.admin.disableSubmit')}
          </Button>
        </form>
      </section>

      <section aria-labelledby="history-h">
        <h2 id="history-h">{t('identity.admin.historyTitle')}</h2>
        <AccountHistoryTable ctx={ctx} history={a.history} />
      </section>
    </div>
  );
}

/** Revoking a grant: what it is, the reason, and a way back without revoking. */
export function RevokeGrantPage({
  ctx,
  account,
  grant,
  issues,
  values = {},
}: {
  ctx: ViewContext;
  account: AdminAccountView;
  grant: GrantView;
  issues: Issues;
  values?: Record<string, string | undefined>;
}) {
  const { t } = ctx;
  const base = `/admin/accounts/${account.id}`;
  return (
    <div class="narrow">
      <BackLink href={base}>{account.login}</BackLink>
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={account.login}>{t('identity.admin.revokeTitle')}</PageHeading>
      <SummaryList
        rows={[
          { key: t('identity.admin.account'), value: `${account.login} (${account.name})` },
          { key: t('identity.admin.role'), value: t(`identity.role.${grant.role}`) },
          { key: t('identity.admin.grantScope'), value: scopeText(ctx, grant) },
          { key: t('identity.admin.grantSince'), value: when(grant.createdAt) },
        ]}
      />
      <p>{t('identity.admin.revokeIntro')}</p>
      <form method="post" action={`${base}/grants/${grant.id}/revoke`} novalidate>
        <CsrfField ctx={ctx} />
        <ReasonField ctx={ctx} issues={issues} value={values.reason} />
        <Button variant="warning">{t('identity.admin.revokeSubmit')}</Button>
      </form>
      <p>
        <a href={base}>{t('identity.admin.cancel')}</a>
      </p>
    </div>
  );
}

/** An organisation's own page: where it stands and, until verified, the two ways to get there. */
function OrganizationSection({
  ctx,
  login,
  status,
}: {
  ctx: ViewContext;
  login: string;
  status: OrganizationStatus;
}) {
  const { t } = ctx;
  const verified = status.state === 'verifiedByRepresentative' || status.state === 'verifiedInPerson';
  const rows = [
    {
      key: t('identity.org.state'),
      value: (
        <Tag colour={verified ? 'green' : status.state === 'released' ? 'red' : 'yellow'}>
          {t(`identity.org.state.${status.state}`)}
        </Tag>
      ),
    },
  ];
  if (status.at) rows.push({ key: t('identity.org.at'), value: <>{chinaDate(status.at)}</> });
  return (
    <section aria-labelledby="org-h">
      <h2 id="org-h">{t('identity.org.title')}</h2>
      <SummaryList rows={rows} />
      {status.state === 'released' ? <Notice kind="warning">{t('identity.org.releasedText')}</Notice> : null}
      {status.state === 'claimed' && status.registerStatus && status.registerStatus !== 'active' ? (
        <Notice kind="warning">{t('identity.org.notActive')}</Notice>
      ) : null}
      {status.state === 'claimed' && (!status.registerStatus || status.registerStatus === 'active') ? (
        <>
          <p>{t('identity.org.claimedIntro')}</p>
          <h3>{t('identity.org.wayRepresentative')}</h3>
          <p>
            {status.legalRepresentativeMasked
              ? t('identity.org.wayRepresentativeNamed', { name: status.legalRepresentativeMasked, login })
              : t('identity.org.wayRepresentativeUnknown')}
          </p>
          <h3>{t('identity.org.wayInPerson')}</h3>
          <p>{t('identity.org.wayInPersonText', { login })}</p>
        </>
      ) : null}
    </section>
  );
}

/** A legal representative's page: the organisation accounts that claim their companies' codes. */
function PendingOrganizations({ ctx, rows }: { ctx: ViewContext; rows: readonly PendingOrganization[] }) {
  const { t } = ctx;
  return (
    <section aria-labelledby="pending-org-h">
      <h2 id="pending-org-h">{t('identity.org.pendingTitle')}</h2>
      <p>{t('identity.org.pendingIntro')}</p>
      <Table
        caption={t('identity.org.pendingCaption')}
        rows={rows}
        columns={[
          { header: t('identity.org.registerName'), cell: (r) => `${r.registerName}（${r.creditCode}）` },
          { header: t('identity.org.login'), cell: (r) => r.login },
          { header: t('identity.org.agent'), cell: (r) => r.agentMasked ?? '—' },
          { header: t('identity.org.registeredAt'), cell: (r) => chinaDate(r.registeredAt) },
          {
            header: t('identity.org.action'),
            cell: (r) =>
              r.heldElsewhere ? (
                t('identity.org.heldElsewhere')
              ) : (
                <form
                  method="post"
                  action={`/account/organizations/${r.accountId}/confirm`}
                  class="inline-form"
                >
                  <CsrfField ctx={ctx} />
                  {/* the accessible name starts with the visible words (WCAG 2.5.3) and names the account */}
                  <button
                    type="submit"
                    class="button button-secondary"
                    aria-label={t('identity.org.confirmLabel', { login: r.login, name: r.registerName })}
                  >
                    {t('identity.org.confirm')}
                  </button>
                </form>
              ),
          },
        ]}
      />
    </section>
  );
}

/** The clerk's page: look a credit code up, then verify the account whose business licence was shown. */
export function StaffOrganizationsPage({
  ctx,
  code,
  holders,
  issues,
  notice,
}: {
  ctx: ViewContext;
  code: string;
  holders: CreditCodeHolders | undefined;
  issues: Issues;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  const heldElsewhere = holders?.accounts.some((a) => a.state.startsWith('verified')) ?? false;
  return (
    <div>
      <ErrorSummary ctx={ctx} issues={issues} />
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <PageHeading>{t('identity.staffOrg.title')}</PageHeading>
      <p>{t('identity.staffOrg.intro')}</p>
      <form method="get" action="/staff/organizations" novalidate>
        <TextField
          name="creditCode"
          label={t('identity.staffOrg.creditCode')}
          hint={t('identity.register.creditCodeHint')}
          value={code}
          width="medium"
          maxLength={18}
          error={fieldError(issues, 'creditCode')}
        />
        <Button variant="secondary">{t('identity.staffOrg.search')}</Button>
      </form>
      {holders ? (
        <>
          <h2>{t('identity.staffOrg.register')}</h2>
          {holders.register ? (
            <SummaryList
              rows={[
                { key: t('identity.staffOrg.registerName'), value: holders.register.name },
                {
                  key: t('identity.staffOrg.registerRep'),
                  value: holders.register.legalRepresentativeMasked,
                },
                {
                  key: t('identity.staffOrg.registerStatus'),
                  value: t(`identity.staffOrg.status.${holders.register.status}`),
                },
              ]}
            />
          ) : (
            <Notice>{t('identity.staffOrg.notInRegister')}</Notice>
          )}
          <Table
            caption={t('identity.staffOrg.caption')}
            rows={holders.accounts}
            empty={t('identity.staffOrg.noAccounts')}
            columns={[
              { header: t('identity.org.login'), cell: (a) => a.login },
              { header: t('identity.staffOrg.name'), cell: (a) => a.name },
              { header: t('identity.org.agent'), cell: (a) => a.agentMasked ?? '—' },
              { header: t('identity.org.registeredAt'), cell: (a) => chinaDate(a.registeredAt) },
              { header: t('identity.org.state'), cell: (a) => t(`identity.org.state.${a.state}`) },
            ]}
          />
          {holders.accounts
            .filter((a) => a.state !== 'verifiedInPerson')
            .map((a) => (
              <form method="post" action={`/staff/organizations/${a.accountId}/verify`} novalidate>
                <CsrfField ctx={ctx} />
                <input type="hidden" name="creditCode" value={holders.creditCode} />
                <fieldset class="fieldset">
                  <legend class="field-label">
                    {t('identity.staffOrg.verifyLegend', { login: a.login })}
                  </legend>
                  <div class="checkbox">
                    <input type="checkbox" id={`checked-${a.accountId}`} name="checked" value="1" />
                    <label for={`checked-${a.accountId}`}>{t('identity.staffOrg.checked')}</label>
                  </div>
                  {heldElsewhere && !a.state.startsWith('verified') ? (
                    <div class="checkbox">
                      <input type="checkbox" id={`dispute-${a.accountId}`} name="dispute" value="1" />
                      <label for={`dispute-${a.accountId}`}>{t('identity.staffOrg.dispute')}</label>
                    </div>
                  ) : null}
                </fieldset>
                <Button>{t('identity.staffOrg.verify')}</Button>
              </form>
            ))}
        </>
      ) : null}
    </div>
  );
}
