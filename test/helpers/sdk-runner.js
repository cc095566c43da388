// Child process for the real-SDK suite: loads the BUILT function with the real wx-server-sdk (no mocks)
// and runs the events the parent sends over IPC. getWXContext() reads WX_* variables, as in the cloud.
const path = require("node:path");

// FUNCTION_ENTRY picks another build (e.g. an --external-sdk one); default: what DevTools uploads.
const entry =
  process.env.FUNCTION_ENTRY || path.join(__dirname, "..", "..", "cloudfunctions", "messagePush", "index.js");
// What the function logs while it loads (a bad setting is reported then), sent with the ready message.
const loadLogs = [];
const consoleAtStart = { log: console.log, warn: console.warn, error: console.error };
for (const [method, level] of [
  ["log", "info"],
  ["warn", "warn"],
  ["error", "error"],
])
  console[method] = (...args) => loadLogs.push(`${level} ${args.join(" ")}`);
const { main } = require(entry);
Object.assign(console, consoleAtStart);

process.on("message", async ({ id, event, openid, source, context }) => {
  process.env.WX_OPENID = openid ?? "";
  if (source === undefined) delete process.env.TCB_SOURCE;
  else process.env.TCB_SOURCE = source;
  const logs = [];
  const capture =
    (level) =>
    (...args) =>
      logs.push(`${level} ${args.join(" ")}`);
  const restore = { log: console.log, warn: console.warn, error: console.error };
  console.log = capture("info");
  console.warn = capture("warn");
  console.error = capture("error");
  try {
    const returned = await main(event, context ?? {});
    process.send({ id, returned, logs });
  } catch (error) {
    process.send({ id, threw: String(error && error.message ? error.message : error), logs });
  } finally {
    Object.assign(console, restore);
  }
});
// The parent disconnects to stop us: exit normally (not by a signal), so coverage, if on, is written.
process.on("disconnect", () => process.exit(0));
process.send({ ready: true, loadLogs });
