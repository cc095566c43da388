#!/usr/bin/env node
// The kit's command line. The kit ships its TypeScript source (the template compiles it with its own esbuild,
// tsx and ts-jest), so the commands run through tsx's require hook.
require("tsx/cjs");
const { run } = require("../src/cli/bin.ts");

run(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === "number") process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
