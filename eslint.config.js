import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * DESIGN.md's layer table, checked on every lint: each element may import (values) only what its
 * row allows. Type-only imports may cross between src/ layers (a type has no behaviour), but
 * nothing in src/ may name handlers/, jobs/ or commands/.
 */
const SRC = ['domain', 'kernel', 'config', 'drivers', 'exec', 'policy', 'store', 'slack', 'templates', 'verify', 'warroom', 'rollbacks'];
const LAYERS = {
  commands: ['domain', 'kernel', 'config', 'policy'],
  handlers: ['commands', 'jobs', ...SRC],
  jobs: SRC,
  domain: [],
  kernel: ['domain'],
  config: ['domain', 'kernel', 'drivers', 'driver', 'templates'],
  drivers: ['domain', 'kernel', 'exec'],
  exec: ['domain', 'kernel'],
  policy: ['domain', 'kernel', 'config'],
  store: ['domain', 'kernel'],
  slack: ['domain', 'kernel', 'config', 'policy'],
  templates: ['domain', 'kernel'],
  verify: ['domain', 'kernel', 'config', 'drivers', 'exec'],
  warroom: ['domain', 'kernel', 'config', 'policy', 'store', 'slack', 'templates'],
  rollbacks: ['domain', 'kernel', 'config', 'policy', 'store', 'drivers', 'verify', 'warroom', 'templates'],
  main: ['main', 'handlers', 'jobs', 'driver', ...SRC],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-output/', 'sandbox/public/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(skip|only|todo)$/][callee.object.name=/^(it|test|describe)$/]',
          message: 'No skipped or focused tests.',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts', 'commands/**/*.ts', 'handlers/**/*.ts', 'jobs/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/elements': [
        { type: 'commands', pattern: 'commands/**', mode: 'full' },
        { type: 'handlers', pattern: 'handlers/**', mode: 'full' },
        { type: 'jobs', pattern: 'jobs/**', mode: 'full' },
        // Shared helpers every layer may use: catalog field parsers, own-key lookups, crash points for tests, the metrics registry.
        { type: 'kernel', pattern: ['src/config/fields.ts', 'src/config/own.ts', 'src/failpoint.ts', 'src/metrics.ts'], mode: 'full' },
        { type: 'main', pattern: ['src/main.ts', 'src/health.ts', 'src/http.ts', 'src/admin.ts', 'src/log.ts'], mode: 'full' },
        // Driver folders may not reach into each other: what several drivers need lives in src/drivers/shared/.
        { type: 'drivers', pattern: ['src/drivers/*.ts', 'src/drivers/shared/**'], mode: 'full' },
        { type: 'driver', pattern: 'src/drivers/*/**', mode: 'full', capture: ['kind'] },
        ...SRC.filter((t) => t !== 'kernel').map((type) => ({ type, pattern: `src/${type}/**`, mode: 'full' })),
      ],
    },
    rules: {
      'boundaries/element-types': [
        'error',
        {
          default: 'disallow',
          message: '${file.type} may not import ${dependency.type} (DESIGN.md "Layout": the layer table)',
          rules: [
            ...Object.entries(LAYERS).map(([from, allow]) => ({ from, allow: [from, ...allow] })),
            { from: 'driver', allow: [['driver', { kind: '${from.kind}' }], 'drivers', ...LAYERS.drivers] },
            // The registry lists every driver module; the shared code and the registry are 'drivers'.
            { from: 'drivers', allow: ['driver'] },
            { from: [...SRC, 'driver'], allow: [...SRC, 'driver'], importKind: 'type' },
          ],
        },
      ],
    },
  },
);
