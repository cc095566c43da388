// The playground page in a real headless browser (Debian's chromium, driven by playwright-core): chat as a
// WeChat user in several modes and doors, press the situations, and look at what it shows. Saves a
// screenshot under test-output/.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { chromium } from "playwright-core";
import { startPlayground } from "../../src/cli/playground";
import { ACKNOWLEDGEMENT } from "../fixture-project/cloudfunctions/messagePush/src/handlers/acknowledge";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => fs.existsSync(file));
if (CHROMIUM === undefined && process.env["CI"] === "true")
  throw new Error("chromium is required in CI (.ci/run installs it)");
if (CHROMIUM === undefined)
  console.warn("chromium 未安装，跳过演练场的浏览器测试 (apt-get install chromium to run it)");
const describeWithBrowser = CHROMIUM === undefined ? describe.skip : describe;
const OUTPUT = path.join(__dirname, "..", "..", "test-output");

describeWithBrowser("the playground page, in headless chromium", () => {
  let browser: Browser;
  let page: Page;
  let playground: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    playground = await startPlayground(0);
    browser = await chromium.launch({ executablePath: CHROMIUM ?? "chromium", args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(playground.url);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await playground?.close();
  });

  const say = async (text: string) => {
    await page.fill("#content", text);
    await page.click("#send");
  };
  const chatText = () => page.textContent("#chat");
  const inspectorText = () => page.textContent("#inspector");

  test("secure · JSON: 「你好」 gets the bot's bubble, and the encrypted envelope is shown", async () => {
    await page.selectOption("#mode", "secure");
    await page.selectOption("#format", "json");
    await say("你好");
    await page.waitForSelector(`.bubble.bot:has-text('${ACKNOWLEDGEMENT}')`);
    const inspector = await inspectorText();
    expect(inspector).toContain('"Encrypt"');
    expect(inspector).toContain("msg_signature=");
    expect(inspector).toContain("200 success");
  });

  test("「转人工」 shows the hand-over marker and the opened passive reply", async () => {
    await say("转人工");
    await page.waitForSelector(".marker.transfer");
    expect(await inspectorText()).toContain("transfer_customer_service");
  });

  test("「微信重试 ×3」: one reply, two duplicates", async () => {
    const before = await page.locator(".bubble.bot").count();
    await page.fill("#content", "重试一下");
    await page.click("#retry3");
    await page.locator(".marker.duplicate").nth(1).waitFor();
    expect(await page.locator(".marker.duplicate").count()).toBe(2);
    expect((await page.locator(".bubble.bot").count()) - before).toBe(1);
  });

  test("wrong Token, wrong key and a tampered body are refused, each with its status", async () => {
    await page.selectOption("#mode", "secure");
    for (const [button, status] of [
      ["#wrong-token", "401"],
      ["#wrong-key", "400"],
      ["#tampered", "401"],
    ] as const) {
      const before = await page.locator(".marker.refused").count();
      await page.fill("#content", "你好");
      await page.click(button);
      await page.locator(".marker.refused").nth(before).waitFor();
      expect(await page.locator(".marker.refused").last().textContent()).toContain(status);
    }
  });

  test("XML · compatible, and the cloud door, route the same way", async () => {
    await page.selectOption("#format", "xml");
    await page.selectOption("#mode", "compatible");
    const before = await page.locator(`.bubble.bot:has-text('${ACKNOWLEDGEMENT}')`).count();
    await say("兼容模式 XML");
    await page.locator(`.bubble.bot:has-text('${ACKNOWLEDGEMENT}')`).nth(before).waitFor();
    expect(await inspectorText()).toContain("<Encrypt>");
    await page.selectOption("#door", "cloud");
    await say("云函数你好");
    await page.locator("#inspector:has-text('main() 返回')").waitFor();
    expect(await inspectorText()).toContain("success");
    expect((await chatText())?.match(new RegExp(ACKNOWLEDGEMENT, "g"))?.length ?? 0).toBeGreaterThanOrEqual(
      before + 2,
    );
    await say("转人工");
    await page.locator(".marker.transfer").nth(1).waitFor();
    // The live log panel streamed what the servers logged.
    expect(await page.textContent("#log")).toMatch(/push handled|duplicate push skipped/);
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, "playground.png") });
    expect(fs.statSync(path.join(OUTPUT, "playground.png")).size).toBeGreaterThan(10_000);
  });
});

// Without a browser too: the page's API answers as the page expects.
test("the playground API runs a secure JSON text through the HTTP door and reports what happened", async () => {
  const playground = await startPlayground(0);
  try {
    const response = await fetch(new URL("/api/message", playground.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        kind: "text",
        content: "你好",
        mode: "secure",
        format: "json",
        door: "http",
        scenario: "normal",
      }),
    });
    const { deliveries } = (await response.json()) as {
      deliveries: { status: number; answer: string; sends: unknown[]; request: { body: string } }[];
    };
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 200, answer: "success" });
    expect(deliveries[0]?.sends).toEqual([
      { touser: "o-playground-user", msgtype: "text", text: { content: ACKNOWLEDGEMENT } },
    ]);
    expect(deliveries[0]?.request.body).toContain('"Encrypt"');
    expect(await (await fetch(playground.url)).text()).toContain("消息推送演练场");
  } finally {
    await playground.close();
  }
}, 30_000);
