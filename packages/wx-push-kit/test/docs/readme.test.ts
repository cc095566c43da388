// The kit's README is its reference: its code must be the real code. Every ```ts block that starts with
// `// example:` stands word for word in readme-examples.ts (type-checked), and the route table lists every
// modelled route. (The template's README is the user's to change: no test reads it.)
import fs from "node:fs";
import path from "node:path";
import { ROUTE_TABLE, ROUTES } from "../../src/core/routes";

const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
/** Formatting aside (a formatter may wrap lines or add trailing commas), the same code. */
const squash = (code: string) => code.replace(/,(\s*[)\]}])/g, "$1").replace(/\s+/g, "");

test("every README example is in the type-checked examples file, word for word", () => {
  const examples = squash(fs.readFileSync(path.join(__dirname, "readme-examples.ts"), "utf8"));
  const tagged = blocks.filter((code) => code.startsWith("// example:"));
  expect(tagged.length).toBeGreaterThanOrEqual(3);
  for (const code of tagged) expect(examples).toContain(squash(code));
});

test("the README's route table lists every modelled route with its MsgType and Event", () => {
  const table = readme.slice(readme.indexOf("## 路由表 Routes"), readme.indexOf("## 通知类推送"));
  for (const route of ROUTES) {
    expect(table).toContain(`\`${route}\``);
    const { msgType, event } = ROUTE_TABLE[route];
    expect(table).toContain(event === "" ? `\`${msgType}\`` : `\`${event}\``);
  }
});
