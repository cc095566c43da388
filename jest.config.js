// ts-jest transpiles the TypeScript tests; type errors are caught by `npm run typecheck`.
const { createDefaultPreset } = require("ts-jest");

/** @type {import("jest").Config} */
module.exports = {
  ...createDefaultPreset(),
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // The tests replay the built bundle; never let jest pick up a stale copy elsewhere.
  modulePathIgnorePatterns: ["<rootDir>/node_modules/.cache"],
  // One wx-server-sdk for the tests that load an --external-sdk build in-process, whatever DevTools habits
  // left in the function folder: an `npm install` there puts a second copy beside index.js, which such a
  // build would resolve first. (The default build has the SDK inlined and requires none.)
  moduleNameMapper: { "^wx-server-sdk$": "<rootDir>/node_modules/wx-server-sdk" },
};
