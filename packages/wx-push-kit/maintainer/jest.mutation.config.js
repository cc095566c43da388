// The tests that exercise src/ in-process, for mutation testing (npm run test:mutation): the suites that
// load the built bundle or spawn CLIs cannot see a mutant in src/ and would only cost time.
const path = require("node:path");
const base = require("../jest.config");

/** @type {import("jest").Config} */
module.exports = {
  ...base,
  rootDir: path.join(__dirname, ".."),
  testMatch: [
    "<rootDir>/test/core/**/*.test.ts",
    "<rootDir>/test/http/**/*.test.ts",
    "<rootDir>/test/stores/**/*.test.ts",
    "<rootDir>/test/reliability/store-contract.test.ts",
    "<rootDir>/test/reliability/fault-injection.test.ts",
    "<rootDir>/test/reliability/redis-store.test.ts",
  ],
};
