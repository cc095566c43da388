// Type-aware linting: no-floating-promises catches the "reply sent after the function returned" bug class.
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");

module.exports = tseslint.config(
  {
    ignores: [
      "node_modules/",
      "**/cloudfunctions/*/index.js",
      "**/cloudfunctions/*/http.js",
      "**/cloudfunctions/*/bundle.js",
      "**/cloudfunctions/*/node_modules/",
      "**/coverage/",
      "**/reports/",
      "**/.stryker-tmp/",
      "**/test/fixtures/",
      "**/test-output/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // `typeof import("…")` types the lazy require()s that keep the push path light.
      "@typescript-eslint/consistent-type-imports": ["error", { disallowTypeAnnotations: false }],
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-floating-promises": "error",
    },
  },
  {
    // jest.mock factories must require(); failNext/failWhen style ports are passed around unbound on purpose.
    files: ["test/**/*.ts", "packages/*/test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/unbound-method": "off",
    },
  },
  {
    // Mini program pages run in WeChat's own JS runtime.
    files: ["miniprogram/**/*.js"],
    languageOptions: {
      globals: { App: "readonly", Page: "readonly", wx: "readonly" },
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        process: "readonly",
        console: "readonly",
        URL: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
