// The README is the front door: its code must be the real code. Every ```ts block that starts with
// `// example:` stands word for word in readme-examples.ts (type-checked); the bot.ts block matches bot.ts;
// the route table lists every modelled route.
import fs from "node:fs";
import path from "node:path";
import { PROJECT } from "../helpers/kit-cli";
import { ROUTE_TABLE, ROUTES } from "../../src/core/routes";

const ROOT = PROJECT;
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
/** Formatting aside (a formatter may wrap lines or add trailing commas), the same code. */
const squash = (code: string) => code.replace(/,(\s*[)\]}])/g, "$1").replace(/\s+/g, "");

test("every README example is in the type-checked examples file, word for word", () => {
  const examples = squash(fs.readFileSync(path.join(__dirname, "readme-examples.ts"), "utf8"));
  const tagged = blocks.filter((code) => code.startsWith("// example:"));
  expect(tagged.length).toBeGreaterThanOrEqual(3);
  for (const code of tagged) expect(examples).toContain(squash(code));
});

test("the README's bot.ts is the real bot.ts", () => {
  const shown = blocks.find((code) => code.startsWith("// cloudfunctions/messagePush/src/bot.ts"));
  const bot = fs.readFileSync(path.join(ROOT, "cloudfunctions/messagePush/src/bot.ts"), "utf8");
  expect(shown).toBeDefined();
  const body = squash((shown ?? "").replace("// cloudfunctions/messagePush/src/bot.ts", ""));
  expect(squash(bot)).toContain(body);
});

test("the README's table lists every modelled route with its MsgType and Event", () => {
  const table = readme.slice(readme.indexOf("## 它做什么"), readme.indexOf("## 添加处理函数"));
  for (const route of ROUTES) {
    expect(table).toContain(`\`${route}\``);
    const { msgType, event } = ROUTE_TABLE[route];
    expect(table).toContain(event === "" ? `\`${msgType}\`` : `\`${event}\``);
  }
});
