// ESLint for the player's own JavaScript (npm run lint; Maven runs it in verify). The recommended rules catch
// what breaks at run time (undefined names, unused code, unreachable branches); style is left to review.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['src/main/web/vendor/**', 'node_modules/**', 'target/**'] },
  js.configs.recommended,
  {
    files: ['src/main/web/**/*.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.browser, Hls: 'readonly' } },
  },
  {
    files: ['src/test/js/**/*.js', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
  { rules: { 'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }] } },
];
