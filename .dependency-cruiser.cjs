/**
 * The layer rules of ARCHITECTURE.md, checked on every `npm run check`:
 *   main → app → modules → platform → kernel; kernel imports nothing of ours; platform never
 *   imports modules; modules import each other only through index.ts; no cycles.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'The module graph is acyclic (ARCHITECTURE rule 4).',
      from: {},
      to: { circular: true, viaOnly: { pathNot: '\\.types\\.ts$' } },
    },
    {
      name: 'kernel-imports-nothing',
      severity: 'error',
      comment: 'kernel/ is zero-dependency vocabulary: only node built-ins.',
      from: { path: '^src/kernel/' },
      to: { pathNot: '^src/kernel/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'platform-not-modules',
      severity: 'error',
      comment: 'platform/ has no domain knowledge: it never imports modules, app, cli or main.',
      from: { path: '^src/platform/' },
      to: { path: '^src/(modules|app|cli|main)' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/(modules|platform|app|cli|main)' },
    },
    {
      name: 'modules-through-index',
      severity: 'error',
      comment: 'Between modules only through modules/<x>/index.ts (ARCHITECTURE rule 3).',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'modules-not-app',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^src/(app|cli|main)' },
    },
    {
      name: 'services-not-http-or-views',
      severity: 'error',
      comment:
        "Only a module's routes and pages meet HTTP: every other module file (services, use cases, stores, access) never imports Fastify, the http layer or views (ARCHITECTURE, a module's shape).",
      from: {
        path: '^src/modules/',
        pathNot: ['\\.(routes|pages)\\.tsx?$', '/index\\.ts$', '\\.testkit\\.ts$'],
      },
      to: {
        path: [
          'node_modules/fastify/',
          'node_modules/@fastify/',
          '^src/platform/http/',
          '^src/platform/views/',
          '\\.pages\\.tsx$',
          '\\.routes\\.tsx?$',
        ],
      },
    },
    {
      name: 'stores-not-services',
      severity: 'error',
      from: { path: '\\.store\\.ts$' },
      to: { path: ['\\.service\\.ts$', '\\.routes\\.ts$', '\\.pages\\.tsx$'] },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.tsx?$' },
      to: { path: ['^test/', '\\.test\\.tsx?$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.tsx?$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js'],
    },
    reporterOptions: { dot: { collapsePattern: 'node_modules/(@[^/]+/[^/]+|[^/]+)' } },
  },
};
