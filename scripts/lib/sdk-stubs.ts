// The parts of wx-server-sdk a message push never reaches, left out of the default ("lean") build. Each costs
// start-up time in every cold instance merely by being loaded (BENCHMARKS.md, section 1). In their place the
// bundle gets a stub that throws a clear error on first use, so a function that does need them fails loudly
// and says which build to use instead.
import type { Plugin } from "esbuild";

/** Package → the SDK feature that needs it (wx-server-sdk 4.x, through @cloudbase/node-sdk). */
export const LEFT_OUT: Readonly<Record<string, string>> = {
  "@cloudbase/ai": "cloud.ai (AI 能力)",
  "@cloudbase/app": "cloud.ai (AI 能力)",
  "web-streams-polyfill": "cloud.ai (AI 能力)",
  // node-sdk builds `models` from it at init inside a try: without it, `cloud.models` is simply absent.
  "@cloudbase/wx-cloud-client-sdk": "cloud.models (数据模型) and MySQL",
  jsonwebtoken: "custom login tickets (自定义登录 auth().createTicket)",
  xml2js: "cloud storage (云存储 uploadFile / downloadFile …)",
};

const NAMESPACE = "wx-server-sdk-left-out";

/** The stub's text: any property read throws, except the probes bundlers and promises make. */
function stubSource(name: string): string {
  const feature = LEFT_OUT[name] ?? name;
  const message =
    `此构建未包含 wx-server-sdk 的 ${feature}：请用 npm run build -- --full-sdk（或 --external-sdk）重新构建 ` +
    `(${name} is left out of the lean build; rebuild with --full-sdk or --external-sdk)`;
  return [
    `const message = ${JSON.stringify(message)};`,
    "module.exports = new Proxy({}, {",
    "  get(_, key) {",
    // `__esModule` false: interop helpers then wrap the stub instead of reading named exports from it.
    '    if (key === "__esModule") return false;',
    '    if (typeof key === "symbol" || key === "then") return undefined;',
    "    throw new Error(message);",
    "  },",
    "});",
  ].join("\n");
}

export const leaveOutUnreachedSdkParts: Plugin = {
  name: "leave-out-unreached-sdk-parts",
  setup(build) {
    const names = Object.keys(LEFT_OUT).map((name) => name.replace(/[/.]/g, "\\$&"));
    // Only the SDK's own imports (wx-server-sdk and the @cloudbase packages under it): a package the
    // function's code imports itself is bundled as usual.
    const fromSdk = /[\\/]node_modules[\\/](wx-server-sdk|@cloudbase)[\\/]/;
    build.onResolve({ filter: new RegExp(`^(${names.join("|")})$`) }, (args) =>
      fromSdk.test(args.importer) ? { path: args.path, namespace: NAMESPACE } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: stubSource(args.path),
      loader: "js",
    }));
  },
};
