// The parts of wx-server-sdk a message push never reaches, left out of the default ("lean") build. Each costs
// start-up time in every cold instance merely by being loaded (BENCHMARKS.md, section 1). In their place the
// bundle gets a stub that throws a clear error on first use, so a function that does need them fails loudly
// and says which build to use instead.
import type { Plugin } from "esbuild";

/**
 * Package → the SDK feature that needs it (wx-server-sdk 4.x, through @cloudbase/node-sdk). Only cloud.ai is
 * part of wx-server-sdk's own API; the other two serve node-sdk features wx-server-sdk does not expose.
 * Cloud storage stays in: its XML parser (xml2js) is reached at the end of every uploadFile and costs
 * only ~0.02× the sample's cold start.
 */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  "@cloudbase/ai": "cloud.ai (AI 能力)",
  "@cloudbase/app": "cloud.ai (AI 能力)",
  "web-streams-polyfill": "cloud.ai (AI 能力)",
  // node-sdk builds its `models` client from it at init, inside a try.
  "@cloudbase/wx-cloud-client-sdk": "data models and MySQL (数据模型，node-sdk only)",
  jsonwebtoken: "custom login tickets (自定义登录，node-sdk only)",
};

const NAMESPACE = "wx-server-sdk-left-out";

/**
 * The stub's text: using it throws, saying which build to use instead. Reads that loaders, interop helpers
 * and formatters make without using the module answer harmlessly, so a stub never fails at load time.
 */
function stubSource(name: string): string {
  const feature = LEFT_OUT[name] ?? name;
  const message =
    `此构建未包含 wx-server-sdk 的 ${feature}：请用 npm run build -- --full-sdk（或 --external-sdk）重新构建 ` +
    `(${name} is left out of the lean build; rebuild with --full-sdk or --external-sdk)`;
  return [
    `const message = ${JSON.stringify(message)};`,
    // `__esModule` false: interop helpers wrap the stub instead of reading named exports from it.
    'const harmless = new Set(["__esModule", "then", "constructor", "toJSON", "toString", "valueOf", "inspect"]);',
    "const fail = () => { throw new Error(message); };",
    "const stub = new Proxy(function () {}, {",
    "  get(_, key) {",
    '    if (key === "default") return stub;',
    '    if (key === "__esModule") return false;',
    '    if (typeof key === "symbol" || harmless.has(key)) return undefined;',
    "    fail();",
    "  },",
    "  apply: fail,",
    "  construct: fail,",
    "});",
    "module.exports = stub;",
  ].join("\n");
}

/** What cloud.ai needs of the left-out packages: kept, and web streams from node itself (no polyfill). */
const AI_PACKAGES = new Set(["@cloudbase/ai", "@cloudbase/app"]);
const NATIVE_STREAMS = "web-streams-polyfill";

/**
 * The lean build's plugin. `keepAi`: the function uses cloud.ai, so its packages stay, and the web-streams
 * polyfill they load is node's own `stream/web` (every runtime the console offers has it: node 16.5+).
 */
export function leaveOutUnreachedSdkParts(options: { keepAi: boolean } = { keepAi: false }): Plugin {
  return {
    name: "leave-out-unreached-sdk-parts",
    setup(build) {
      const names = Object.keys(LEFT_OUT)
        .filter((name) => !(options.keepAi && AI_PACKAGES.has(name)))
        .map((name) => name.replace(/[/.]/g, "\\$&"));
      // Only the SDK's own imports (wx-server-sdk and the @cloudbase packages under it): a package the
      // function's code imports itself is bundled as usual.
      const fromSdk = /[\\/]node_modules[\\/](wx-server-sdk|@cloudbase)[\\/]/;
      build.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) =>
        fromSdk.test(args.importer) ? { path: args.path, namespace: NAMESPACE } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents:
          options.keepAi && args.path === NATIVE_STREAMS
            ? 'module.exports = require("node:stream/web");'
            : stubSource(args.path),
        loader: "js",
      }));
    },
  };
}
