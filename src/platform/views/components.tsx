import type { ComponentChildren } from 'preact';
import type { FieldIssue } from '../../kernel/index.js';
import type { ViewContext } from './context.js';

/**
 * The component library. Each component has named examples on /design, and the design page is
 * checked with axe in a real browser, so every example is tested.
 */

export function PageHeading({ children, caption }: { children: ComponentChildren; caption?: string }) {
  return (
    <div class="page-heading">
      {caption ? <span class="caption">{caption}</span> : null}
      <h1>{children}</h1>
    </div>
  );
}

export type ButtonVariant = 'primary' | 'secondary' | 'warning';

export function Button({
  children,
  variant = 'primary',
  type = 'submit',
  name,
  value,
}: {
  children: ComponentChildren;
  variant?: ButtonVariant;
  type?: 'submit' | 'button';
  name?: string;
  value?: string;
}) {
  return (
    <button type={type} class={`button button-${variant}`} name={name} value={value}>
      {children}
    </button>
  );
}

export function LinkButton({
  href,
  children,
  variant = 'secondary',
}: {
  href: string;
  children: ComponentChildren;
  variant?: ButtonVariant;
}) {
  return (
    <a href={href} class={`button button-${variant}`}>
      {children}
    </a>
  );
}

/** Lists every problem at the top of a form, each linking to its field (GOV.UK pattern). */
export function ErrorSummary({
  ctx,
  issues,
  focus = true,
}: {
  ctx: ViewContext;
  /** `href`: where the problem is put right, when not a field of this page */
  issues: ReadonlyArray<FieldIssue & { message: string; href?: string | undefined }>;
  /** move focus here when the page loads (off for examples on /design) */
  focus?: boolean;
}) {
  if (issues.length === 0) return null;
  return (
    <div
      class="error-summary"
      role="alert"
      aria-labelledby="error-summary-title"
      tabIndex={-1}
      data-focus={focus ? '' : undefined}
    >
      <h2 id="error-summary-title">{ctx.t('error.summaryTitle')}</h2>
      <ul>
        {issues.map((i) => (
          <li>
            <a href={i.href ?? `#${fieldId(i.field)}`}>{i.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export const fieldId = (name: string): string => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/**
 * A field's label; on a page that asks one question, the label is the page's heading (one h1 that
 * both names the page and labels the input, so a screen reader hears the question once).
 */
function FieldLabel({
  id,
  heading,
  children,
}: {
  id: string;
  heading?: boolean;
  children: ComponentChildren;
}) {
  const label = (
    <label for={id} class={heading ? 'field-label field-label-heading' : 'field-label'}>
      {children}
    </label>
  );
  return heading ? <h1 class="field-heading">{label}</h1> : label;
}

/** The ids a field's control points to: its hint and its error, when it has them. */
const describedByOf = (id: string, hint?: string, error?: string): string | undefined =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** The frame of one field: the label (or heading), the hint and the error, then the control. */
function Field(p: {
  id: string;
  label: ComponentChildren;
  hint?: string | undefined;
  error?: string | undefined;
  heading?: boolean | undefined;
  children: ComponentChildren;
}) {
  return (
    <div class={p.error ? 'field field-error' : 'field'}>
      <FieldLabel id={p.id} heading={p.heading}>
        {p.label}
      </FieldLabel>
      {p.hint ? (
        <div id={`${p.id}-hint`} class="field-hint">
          {p.hint}
        </div>
      ) : null}
      {p.error ? (
        <p id={`${p.id}-error`} class="field-error-message">
          {p.error}
        </p>
      ) : null}
      {p.children}
    </div>
  );
}

export interface TextFieldProps {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value?: string;
  type?: 'text' | 'email' | 'tel' | 'password' | 'number' | 'date' | 'search';
  autocomplete?: string;
  inputmode?: 'numeric' | 'text' | 'tel' | 'email' | 'search';
  required?: boolean;
  width?: 'short' | 'medium' | 'full';
  maxLength?: number;
  /** the page asks just this: the label is the page heading */
  heading?: boolean;
}

export function TextField(p: TextFieldProps) {
  const id = fieldId(p.name);
  const describedBy = describedByOf(id, p.hint, p.error);
  return (
    <Field id={id} label={p.label} hint={p.hint} error={p.error} heading={p.heading}>
      <input
        id={id}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        class={`input input-${p.width ?? 'full'}`}
        autocomplete={p.autocomplete}
        inputMode={p.inputmode}
        required={p.required}
        maxLength={p.maxLength}
        aria-describedby={describedBy}
        aria-invalid={p.error ? 'true' : undefined}
      />
    </Field>
  );
}

export function SelectField(p: {
  name: string;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  value?: string;
  hint?: string;
  error?: string;
  heading?: boolean;
}) {
  const id = fieldId(p.name);
  return (
    <Field id={id} label={p.label} hint={p.hint} error={p.error} heading={p.heading}>
      <select
        id={id}
        name={p.name}
        class="select"
        aria-describedby={describedByOf(id, p.hint, p.error)}
        aria-invalid={p.error ? 'true' : undefined}
      >
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function RadioGroup(p: {
  name: string;
  legend: string;
  options: ReadonlyArray<{ value: string; label: string; hint?: string }>;
  value?: string;
  error?: string;
  hint?: string;
  /** the page asks just this: the legend is the page heading */
  heading?: boolean;
}) {
  const id = fieldId(p.name);
  const describedBy = describedByOf(id, p.hint, p.error);
  return (
    <fieldset class={p.error ? 'fieldset field-error' : 'fieldset'} id={id} aria-describedby={describedBy}>
      <legend class={p.heading ? 'field-label field-label-heading' : 'field-label'}>
        {p.heading ? <h1 class="field-heading">{p.legend}</h1> : p.legend}
      </legend>
      {p.hint ? (
        <div id={`${id}-hint`} class="field-hint">
          {p.hint}
        </div>
      ) : null}
      {p.error ? (
        <p id={`${id}-error`} class="field-error-message">
          {p.error}
        </p>
      ) : null}
      {p.options.map((o, i) => (
        <div class="radio">
          <input type="radio" id={`${id}-${i}`} name={p.name} value={o.value} checked={o.value === p.value} />
          <label for={`${id}-${i}`}>{o.label}</label>
          {o.hint ? <div class="field-hint">{o.hint}</div> : null}
        </div>
      ))}
    </fieldset>
  );
}

/** A longer answer (a description, a list): several lines of text. */
export function TextArea(p: {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  value?: string;
  rows?: number;
  required?: boolean;
  maxLength?: number;
  heading?: boolean;
}) {
  const id = fieldId(p.name);
  const describedBy = describedByOf(id, p.hint, p.error);
  return (
    <Field id={id} label={p.label} hint={p.hint} error={p.error} heading={p.heading}>
      <textarea
        id={id}
        name={p.name}
        class="textarea input-full"
        rows={p.rows ?? 5}
        required={p.required}
        maxLength={p.maxLength}
        aria-describedby={describedBy}
        aria-invalid={p.error ? 'true' : undefined}
      >
        {p.value ?? ''}
      </textarea>
    </Field>
  );
}

/**
 * A file to upload. `accept` only helps the browser's picker; the server judges every file by
 * its content. The form around it must be `enctype="multipart/form-data"`.
 */
export function FileField(p: {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  accept?: string;
}) {
  const id = fieldId(p.name);
  const describedBy = describedByOf(id, p.hint, p.error);
  return (
    <Field id={id} label={p.label} hint={p.hint} error={p.error}>
      <input
        id={id}
        name={p.name}
        type="file"
        class="file-input"
        accept={p.accept}
        aria-describedby={describedBy}
        aria-invalid={p.error ? 'true' : undefined}
      />
    </Field>
  );
}

export interface Column<R> {
  header: string;
  cell: (row: R) => ComponentChildren;
  numeric?: boolean;
}

/** A data table with a caption (screen readers announce it) that scrolls sideways on a phone. */
export function Table<R>({
  caption,
  columns,
  rows,
  empty,
}: {
  caption: string;
  columns: ReadonlyArray<Column<R>>;
  rows: readonly R[];
  empty?: string;
}) {
  return (
    // A scrollable region must be reachable by keyboard (axe: scrollable-region-focusable), so a
    // phone user with a keyboard or switch can scroll a wide table.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the focusable scroll container is the accessible pattern here
    <section class="table-wrap" tabIndex={0} aria-label={caption}>
      <table class="table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" class={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty ?? '—'}</td>
            </tr>
          ) : (
            rows.map((r) => (
              <tr>
                {columns.map((c) => (
                  <td class={c.numeric ? 'num' : undefined}>{c.cell(r)}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}

export type TagColour = 'grey' | 'green' | 'yellow' | 'red' | 'blue';

export function Tag({ children, colour = 'grey' }: { children: ComponentChildren; colour?: TagColour }) {
  return <strong class={`tag tag-${colour}`}>{children}</strong>;
}

export function Panel({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="panel">
      <h2 class="panel-title">{title}</h2>
      {children ? <div class="panel-body">{children}</div> : null}
    </div>
  );
}

export function Notice({
  children,
  kind = 'info',
}: {
  children: ComponentChildren;
  kind?: 'info' | 'success' | 'warning';
}) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'warning' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Breadcrumbs({
  items,
  label,
}: {
  items: ReadonlyArray<{ href?: string; text: string }>;
  label: string;
}) {
  return (
    <nav class="breadcrumbs" aria-label={label}>
      <ol>
        {items.map((i) => (
          <li>{i.href ? <a href={i.href}>{i.text}</a> : <span aria-current="page">{i.text}</span>}</li>
        ))}
      </ol>
    </nav>
  );
}

/** Previous / next links keeping the other query parameters. */
export function Pagination({
  ctx,
  page,
  pageSize,
  total,
  baseQuery,
}: {
  ctx: ViewContext;
  page: number;
  pageSize: number;
  total: number;
  baseQuery: Record<string, string>;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const href = (p: number) => `?${new URLSearchParams({ ...baseQuery, page: String(p) }).toString()}`;
  return (
    <nav class="pagination" aria-label={ctx.t('common.pagination')}>
      {page > 1 ? (
        <a href={href(page - 1)} rel="prev">
          {ctx.t('common.previous')}
        </a>
      ) : null}
      <span>{ctx.t('common.page', { page, pages })}</span>
      {page < pages ? (
        <a href={href(page + 1)} rel="next">
          {ctx.t('common.nextPage')}
        </a>
      ) : null}
    </nav>
  );
}

export interface SummaryRow {
  key: string;
  value: ComponentChildren;
  /** a link to change the answer; its text ends with the key for screen readers ("修改 经营范围") */
  change?: { href: string; label: string } | undefined;
}

export function SummaryList({ rows }: { rows: ReadonlyArray<SummaryRow> }) {
  const withActions = rows.some((r) => r.change);
  return (
    <dl class={withActions ? 'summary-list summary-list-actions' : 'summary-list'}>
      {rows.map((r) => (
        <div class="summary-row">
          <dt>{r.key}</dt>
          <dd>{r.value}</dd>
          {withActions ? (
            <dd class="summary-change">
              {r.change ? (
                <a href={r.change.href}>
                  {r.change.label}
                  <span class="visually-hidden"> {r.key}</span>
                </a>
              ) : null}
            </dd>
          ) : null}
        </div>
      ))}
    </dl>
  );
}

/** A link back to the previous page of a journey (above the heading). */
export function BackLink({ href, children }: { href: string; children: ComponentChildren }) {
  return (
    <a href={href} class="back-link">
      {children}
    </a>
  );
}

export function CsrfField({ ctx }: { ctx: ViewContext }) {
  return <input type="hidden" name="_csrf" value={ctx.csrfToken} />;
}
