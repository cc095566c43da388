// Child process: loads a BUILT function with the REAL wx-server-sdk (no mocks) and runs the events the parent
// sends over IPC. getWXContext() reads WX_* variables, as in the cloud. A run asked `fresh` loads the function
// anew first: a cold instance that remembers nothing of the runs before.
const path = require("node:path");
const { install } = require("../local/gateway-redirect");

// cloud.ai's calls go to the CloudBase gateway whatever TCB_CONTEXT_CNFG says: to the stand-in too.
if (process.env.WX_PUSH_GATEWAY_URL) install(process.env.WX_PUSH_GATEWAY_URL);

const entry = process.env.FUNCTION_ENTRY;
if (!entry) throw new Error("FUNCTION_ENTRY is not set");
const folder = path.dirname(entry) + path.sep;

/** Loads the function (index.js, the bundle it loads, http.js) from disk, with what it logs while loading. */
function load() {
  for (const cached of Object.keys(require.cache))
    if (cached.startsWith(folder)) delete require.cache[cached];
  const logs = [];
  const consoleAtStart = { log: console.log, warn: console.warn, error: console.error };
  for (const [method, level] of [
    ["log", "info"],
    ["warn", "warn"],
    ["error", "error"],
  ])
    console[method] = (...args) => logs.push(`${level} ${args.join(" ")}`);
  try {
    return { main: require(entry).main, loadLogs: logs };
  } finally {
    Object.assign(console, consoleAtStart);
  }
}

let instance = load();

process.on("message", async ({ id, event, openid, source, context, fresh }) => {
  if (fresh) instance = load();
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
    const returned = await instance.main(event, context ?? {});
    process.send({ id, returned, logs });
  } catch (error) {
    process.send({ id, threw: String(error && error.message ? error.message : error), logs });
  } finally {
    Object.assign(console, restore);
  }
});
// The parent disconnects to stop us: exit normally (not by a signal), so coverage, if on, is written.
process.on("disconnect", () => process.exit(0));
process.send({ ready: true, loadLogs: instance.loadLogs });
