// The kit's own tests. They run against the kit's fixture project (test/fixture-project), never the
// template's bot: WX_PUSH_ROOT points the commands there. ts-jest transpiles; `npm run typecheck` checks types.
const path = require("node:path");
const { createDefaultPreset } = require("ts-jest");

process.env.WX_PUSH_ROOT = path.join(__dirname, "test", "fixture-project");

/** @type {import("jest").Config} */
module.exports = {
  ...createDefaultPreset(),
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // The fixture project's built function is loaded by the tests; never let jest map a stale copy elsewhere.
  modulePathIgnorePatterns: ["<rootDir>/node_modules/.cache"],
  // Builds the fixture project's function once, before any suite loads it.
  globalSetup: "<rootDir>/test/helpers/build-fixture-project.ts",
  // One wx-server-sdk for the tests that load an --external-sdk build in-process (see the template's config).
  moduleNameMapper: { "^wx-server-sdk$": require.resolve("wx-server-sdk") },
};
