// The kit's commands as functions, for a project's own scripts (scripts/callback-config.ts) and for tests.
// Each returns its exit code.
export { main as callbackConfig } from "./callback-config";
export { run, help } from "./bin";
