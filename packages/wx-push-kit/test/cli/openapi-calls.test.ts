// The cloud calls check:function finds in src/, whatever form the code takes, and the uses it cannot follow.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openapiCallsIn } from "../../src/cli/lib/openapi-calls";
import { FUNCTION_DIR, KIT_ROOT } from "../../src/cli/lib/function";

test("the kit's cloud door: the four calls it makes, nothing it cannot follow; the fixture bot makes none", () => {
  expect(openapiCallsIn(path.join(KIT_ROOT, "src", "cloud"))).toEqual({
    calls: [
      "customerServiceMessage.getTempMedia",
      "customerServiceMessage.send",
      "customerServiceMessage.setTyping",
      "customerServiceMessage.uploadTempMedia",
    ],
    unresolved: [],
  });
  expect(openapiCallsIn(path.join(FUNCTION_DIR, "src"))).toEqual({ calls: [], unresolved: [] });
});

test("every form a call is written in, including those minifying hides from a text search", () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "openapi-"));
  try {
    fs.mkdirSync(path.join(folder, "handlers"));
    fs.writeFileSync(
      path.join(folder, "handlers", "forms.ts"),
      [
        "declare const cloud: any;",
        "declare const sdk: () => any;",
        "export async function forms(): Promise<void> {",
        "  await cloud.openapi.plain.call({});",
        "  await sdk().openapi?.optional.chain({});",
        '  await cloud["openapi"]["bracket"]["access"]({});',
        "  const { openapi } = sdk();",
        "  await openapi.destructured.call({});",
        '  await cloud.openapi({ appid: "wx1" }).crossAccount.call({});',
        "  await (cloud.openapi!).nonNull.call({});",
        "  const api = cloud.openapi.aliased;",
        "  await api.call({});",
        "  const { destructuredApi } = cloud.openapi;",
        "}",
        "interface Typed { openapi: { typeOnly: { call(): void } } }",
        "export type OnlyTypes = Typed['openapi'];",
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(folder, "types.d.ts"),
      "declare const x: { openapi: { dts: { call(): void } } };",
    );
    const { calls, unresolved } = openapiCallsIn(folder);
    expect(calls).toEqual([
      "bracket.access",
      "crossAccount.call",
      "destructured.call",
      "nonNull.call",
      "optional.chain",
      "plain.call",
    ]);
    expect(unresolved.map((use) => use.replace(/^.*forms\.ts/, "forms.ts"))).toEqual([
      "forms.ts:11  const api = cloud.openapi.aliased;",
      "forms.ts:13  const { destructuredApi } = cloud.openapi;",
    ]);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
