import type { VNode } from 'preact';
import type { ViewContext } from './context.js';
import type { FieldIssue } from '../../kernel/index.js';
import { checkIdNumber } from '../codes/index.js';
import type { App } from '../http/app-type.js';
import { formBody } from '../http/request.js';
import { renderPage, sendHtml } from './render.js';
import {
  BackLink,
  Breadcrumbs,
  CsrfField,
  Button,
  ErrorSummary,
  FileField,
  LinkButton,
  Notice,
  PageHeading,
  Pagination,
  Panel,
  RadioGroup,
  SelectField,
  SummaryList,
  Table,
  Tag,
  TextArea,
  TextField,
} from './components.js';

/**
 * The design system page (/design): every component with its named examples. The page is
 * rendered in tests and checked with axe in Chromium, so each example is tested.
 */
export interface Example {
  readonly name: string;
  readonly render: (ctx: ViewContext) => VNode;
}

export interface ComponentDoc {
  readonly id: string;
  readonly title: string;
  readonly examples: readonly Example[];
}

const rows = [
  { name: '个体工商户设立登记', dept: '市市场监督管理局', days: 1 },
  { name: '食品经营许可证核发', dept: '市市场监督管理局', days: 10 },
  { name: '出生医学证明办理', dept: '市卫生健康委员会', days: 0 },
];

export const componentDocs: readonly ComponentDoc[] = [
  {
    id: 'heading',
    title: 'PageHeading',
    examples: [
      {
        name: 'with caption',
        render: () => <PageHeading caption="办事指南">个体工商户设立登记</PageHeading>,
      },
    ],
  },
  {
    id: 'button',
    title: 'Button',
    examples: [
      { name: 'primary', render: () => <Button>提交申请</Button> },
      { name: 'secondary', render: () => <Button variant="secondary">保存草稿</Button> },
      { name: 'warning', render: () => <Button variant="warning">不予受理</Button> },
      { name: 'link as button', render: () => <LinkButton href="/design#button">在线办理</LinkButton> },
    ],
  },
  {
    id: 'text-field',
    title: 'TextField',
    examples: [
      {
        name: 'with hint',
        render: () => (
          <TextField name="demoName" label="姓名" hint="与居民身份证上的姓名一致" autocomplete="name" />
        ),
      },
      {
        name: 'with error',
        render: () => (
          <TextField
            name="demoId"
            label="公民身份号码"
            value="41010519900307123"
            error="公民身份号码应为18位"
            inputmode="text"
            width="medium"
          />
        ),
      },
    ],
  },
  {
    id: 'select',
    title: 'SelectField',
    examples: [
      {
        name: 'region level',
        render: () => (
          <SelectField
            name="demoRegion"
            label="所在区县"
            options={[
              { value: '410102', label: '中原区' },
              { value: '410105', label: '金水区' },
            ]}
            value="410105"
          />
        ),
      },
    ],
  },
  {
    id: 'radios',
    title: 'RadioGroup',
    examples: [
      {
        name: 'applicant kind',
        render: () => (
          <RadioGroup
            name="demoKind"
            legend="申请人类型"
            options={[
              { value: 'person', label: '自然人' },
              { value: 'organization', label: '法人', hint: '企业、事业单位、社会组织' },
            ]}
            value="person"
          />
        ),
      },
    ],
  },
  {
    id: 'text-area',
    title: 'TextArea',
    examples: [
      {
        name: 'a longer answer',
        render: () => <TextArea name="demoScope" label="经营范围" hint="按营业执照填写" rows={3} />,
      },
    ],
  },
  {
    id: 'file-field',
    title: 'FileField',
    examples: [
      {
        name: 'a material to upload',
        render: () => (
          <FileField
            name="demoFile"
            label="选择文件：健康证明"
            hint="PDF、PNG 或 JPEG，不超过 10 MB"
            accept="application/pdf,image/png,image/jpeg"
          />
        ),
      },
    ],
  },
  {
    id: 'summary-change',
    title: 'SummaryList with change links',
    examples: [
      {
        name: 'check your answers',
        render: () => (
          <SummaryList
            rows={[
              {
                key: '经营场所',
                value: '郑州市金水区示范路100号',
                change: { href: '/design#summary-change', label: '修改' },
              },
              {
                key: '结果领取方式',
                value: '邮寄送达',
                change: { href: '/design#summary-change', label: '修改' },
              },
            ]}
          />
        ),
      },
      { name: 'back link', render: () => <BackLink href="/design">返回上一步</BackLink> },
    ],
  },
  {
    id: 'error-summary',
    title: 'ErrorSummary',
    examples: [
      {
        name: 'two problems',
        render: (ctx) => (
          <ErrorSummary
            ctx={ctx}
            focus={false}
            issues={[
              { field: 'demoId', rule: 'GB11643.LENGTH', message: '公民身份号码应为18位' },
              { field: 'demoName', rule: 'REQUIRED', message: '请填写姓名' },
            ]}
          />
        ),
      },
    ],
  },
  {
    id: 'table',
    title: 'Table',
    examples: [
      {
        name: 'items with numbers',
        render: () => (
          <Table
            caption="常办事项"
            columns={[
              { header: '事项名称', cell: (r: (typeof rows)[number]) => r.name },
              { header: '实施主体', cell: (r: (typeof rows)[number]) => r.dept },
              {
                header: '承诺时限（工作日）',
                cell: (r: (typeof rows)[number]) => (r.days === 0 ? '即办' : r.days),
                numeric: true,
              },
            ]}
            rows={rows}
          />
        ),
      },
    ],
  },
  {
    id: 'tag',
    title: 'Tag',
    examples: [
      {
        name: 'clock colours',
        render: () => (
          <p>
            <Tag colour="green">正常</Tag> <Tag colour="yellow">黄牌预警</Tag>{' '}
            <Tag colour="red">红牌超期</Tag> <Tag colour="blue">已受理</Tag> <Tag>草稿</Tag>
          </p>
        ),
      },
    ],
  },
  {
    id: 'notice',
    title: 'Notice',
    examples: [
      { name: 'info', render: () => <Notice>本事项支持全程网办，无需到现场。</Notice> },
      {
        name: 'success',
        render: () => (
          <Notice kind="success">申请已提交，办件编号 11410100MB1234567X0001202611260001。</Notice>
        ),
      },
    ],
  },
  {
    id: 'panel',
    title: 'Panel',
    examples: [{ name: 'confirmation', render: () => <Panel title="申请已提交">请留意短信通知。</Panel> }],
  },
  {
    id: 'summary-list',
    title: 'SummaryList',
    examples: [
      {
        name: 'check your answers',
        render: () => (
          <SummaryList
            rows={[
              { key: '姓名', value: '张**' },
              { key: '公民身份号码', value: '4***************34' },
              { key: '联系电话', value: '138****1234' },
            ]}
          />
        ),
      },
    ],
  },
  {
    id: 'breadcrumbs',
    title: 'Breadcrumbs',
    examples: [
      {
        name: 'guide path',
        render: () => (
          <Breadcrumbs
            label="面包屑导航"
            items={[
              { href: '/', text: '首页' },
              { href: '/design', text: '办事服务' },
              { text: '个体工商户设立登记' },
            ]}
          />
        ),
      },
    ],
  },
  {
    id: 'pagination',
    title: 'Pagination',
    examples: [
      {
        name: 'middle page',
        render: (ctx) => (
          <Pagination ctx={ctx} page={2} pageSize={20} total={95} baseQuery={{ q: '营业执照' }} />
        ),
      },
    ],
  },
];

export interface DesignFormState {
  readonly values: Readonly<Record<string, string>>;
  readonly issues: ReadonlyArray<FieldIssue & { message: string }>;
  readonly done: boolean;
}

/** The live form example: validates like every form of the platform (all problems at once). */
export function checkDesignForm(ctx: ViewContext, body: Readonly<Record<string, string>>): DesignFormState {
  const issues: Array<FieldIssue & { message: string }> = [];
  const name = (body.exampleName ?? '').trim();
  const id = (body.exampleId ?? '').trim().toUpperCase();
  if (!name)
    issues.push({ field: 'exampleName', rule: 'REQUIRED', message: ctx.t('design.form.nameRequired') });
  const check = checkIdNumber(id);
  if (!check.ok)
    issues.push({
      field: 'exampleId',
      rule: check.failures.join(','),
      message: ctx.t('design.form.idInvalid'),
    });
  return { values: { exampleName: name, exampleId: id }, issues, done: issues.length === 0 };
}

export function DesignForm({ ctx, state }: { ctx: ViewContext; state?: DesignFormState }) {
  const err = (f: string) => state?.issues.find((i) => i.field === f)?.message;
  return (
    <form method="post" action="/design/form#form" novalidate>
      {state ? <ErrorSummary ctx={ctx} issues={state.issues} /> : null}
      {state?.done ? <Notice kind="success">{ctx.t('design.form.ok')}</Notice> : null}
      <CsrfField ctx={ctx} />
      <TextField
        name="exampleName"
        label={ctx.t('design.form.name')}
        value={state?.values.exampleName}
        error={err('exampleName')}
        autocomplete="name"
      />
      <TextField
        name="exampleId"
        label={ctx.t('design.form.id')}
        hint={ctx.t('design.form.idHint')}
        value={state?.values.exampleId}
        error={err('exampleId')}
        width="medium"
      />
      <Button>{ctx.t('common.submit')}</Button>
    </form>
  );
}

export function DesignPage({ ctx, form }: { ctx: ViewContext; form?: DesignFormState }) {
  return (
    <div>
      <PageHeading caption="tongban">{ctx.t('nav.design')}</PageHeading>
      <nav aria-label={ctx.t('nav.design')}>
        <ul>
          {componentDocs.map((c) => (
            <li>
              <a href={`#${c.id}`}>{c.title}</a>
            </li>
          ))}
        </ul>
      </nav>
      <section id="form" aria-labelledby="form-title">
        <h2 id="form-title">{ctx.t('design.form.title')}</h2>
        <DesignForm ctx={ctx} state={form} />
      </section>
      {componentDocs.map((c) => (
        <section id={c.id} aria-labelledby={`${c.id}-title`}>
          <h2 id={`${c.id}-title`}>{c.title}</h2>
          {c.examples.map((e) => (
            <div class="design-example">
              <h3>{e.name}</h3>
              {e.render(ctx)}
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}

/** The design system page and its example form (/design, /design/form). */
export function designRoutes(app: App): void {
  app.get('/design', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const ctx = req.view(reply);
    return sendHtml(reply, renderPage(ctx, ctx.t('nav.design'), <DesignPage ctx={ctx} />));
  });
  app.post(
    '/design/form',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const form = checkDesignForm(ctx, formBody(req));
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('nav.design'), <DesignPage ctx={ctx} form={form} />),
        form.done ? 200 : 400,
      );
    },
  );
}
