// Your tests: the replay snapshots of your bot and your handlers' own tests. The kit's tests are its own
// (`npm run test:kit`, CI runs both). ts-jest transpiles; `npm run typecheck` checks types.
const { createDefaultPreset } = require("ts-jest");

/** @type {import("jest").Config} */
module.exports = {
  ...createDefaultPreset(),
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // Only your tests are looked for here (the kit's folder has its own suite and fixture project).
  roots: ["<rootDir>/test"],
  // The kit ships TypeScript: compiled here like your own code when it is installed from npm.
  transformIgnorePatterns: ["/node_modules/(?!wx-push-kit/)"],
  // One wx-server-sdk for a build that leaves it external (--external-sdk), whatever DevTools habits left in
  // the function folder (an `npm install` there puts a second copy beside index.js).
  moduleNameMapper: { "^wx-server-sdk$": "<rootDir>/node_modules/wx-server-sdk" },
};
