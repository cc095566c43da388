// Long answers: cut into parts that each fit one message, where a reader would cut, never inside a character
// or a link; sent in order, each a send of its own, and never interleaved with another push's to that user.
import fc from "fast-check";
import { createApp } from "../../src/core/app";
import { silentLog } from "../../src/core/log";
import { MAX_PARTS, PART_BYTES, splitText } from "../../src/core/long-text";
import type { SendPayload } from "../../src/core/reply";
import { createRouter } from "../../src/core/router";
import { createRecordingLog } from "../helpers/recording-log";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
/** No lone surrogate: no character was cut in two. */
const wellFormed = (text: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
/** What a reader gets from the parts: the text, whitespace at the cuts aside. */
const squash = (text: string) => text.replace(/\s+/g, "");

/** A long answer of every kind of character: CJK, emoji (surrogate pairs, ZWJ sequences), links, paragraphs. */
function longAnswer(chars: number): string {
  const pieces = [
    "您的订单已发货，预计三天内送达。",
    "Your order has shipped. ",
    "👩‍👩‍👧‍👦🎉",
    '<a href="https://example.com/faq" data-miniprogram-appid="wx1234" data-miniprogram-path="pages/faq">常见问题</a>',
    "\n\n",
    "第二段：退换货请在七天内申请；",
  ];
  let text = "";
  for (let index = 0; text.length < chars; index += 1) text += pieces[index % pieces.length];
  return text.slice(0, chars).replace(/<a[^>]*$/, "");
}

describe("splitText", () => {
  test("a text that fits is one part, unchanged", () => {
    expect(splitText("收到")).toEqual({ parts: ["收到"], truncated: false });
  });

  test("a 10,000-character answer: parts within the limit, nothing lost, no link or character cut", () => {
    const text = longAnswer(10_000);
    const { parts, truncated } = splitText(text, { maxParts: 50 });
    expect(truncated).toBe(false);
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) {
      expect(bytes(part)).toBeLessThanOrEqual(PART_BYTES);
      expect(wellFormed(part)).toBe(true);
      // Every link opened in a part is closed in it.
      expect((part.match(/<a\b/g) ?? []).length).toBe((part.match(/<\/a>/g) ?? []).length);
    }
    expect(squash(parts.join(""))).toBe(squash(text));
  });

  test("the cut falls on a blank line, a line end or a sentence end when one is near", () => {
    const paragraph = `${"这是一句完整的话。".repeat(60)}\n\n`;
    const { parts } = splitText(paragraph.repeat(3));
    for (const part of parts.slice(0, -1)) expect(part.endsWith("。")).toBe(true);
  });

  test(`at most ${MAX_PARTS} parts by default (the quota after a message); the rest is reported dropped`, () => {
    const { parts, truncated } = splitText("很长的回答。".repeat(5000));
    expect(parts).toHaveLength(MAX_PARTS);
    expect(truncated).toBe(true);
  });

  test("any text: every part fits and is well formed, and together they are the text", () => {
    const grapheme = fc.constantFrom("a", " ", "。", "\n", "中", "😀", "👍🏽", "é", "<", ">");
    fc.assert(
      fc.property(
        fc.array(grapheme, { minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 8, max: 600 }),
        (units, partBytes) => {
          const text = units.join("");
          const { parts, truncated } = splitText(text, { partBytes, maxParts: 10_000 });
          expect(truncated).toBe(false);
          for (const part of parts) {
            expect(bytes(part)).toBeLessThanOrEqual(partBytes);
            expect(wellFormed(part)).toBe(true);
          }
          expect(squash(parts.join(""))).toBe(squash(text));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("reply.text with a long answer", () => {
  test("each part is a send of its own, in order, with the send fields asked for (AI label, businessid)", async () => {
    const sent: SendPayload[] = [];
    const text = longAnswer(10_000);
    const router = createRouter().on("text", async ({ reply }) => {
      await reply.text(text, { ai: true, businessid: "biz-1", maxParts: 50 });
    });
    await createApp({ router, log: silentLog }).handle(
      { ToUserName: "wx", FromUserName: "o-user", CreateTime: 1, MsgType: "text", Content: "长", MsgId: "1" },
      {
        recipientOf: (message) => message.FromUserName,
        send: (payload) => Promise.resolve(void sent.push(payload)),
      },
    );
    expect(sent.length).toBeGreaterThan(5);
    expect(sent.every((payload) => payload.aimsgcontext?.is_ai_msg === 1)).toBe(true);
    expect(sent.every((payload) => payload.businessid === "biz-1")).toBe(true);
    const contents = sent.map((payload) => (payload.msgtype === "text" ? payload.text.content : ""));
    expect(squash(contents.join(""))).toBe(squash(text));
  });

  test("two pushes of one user answered at once never interleave their parts", async () => {
    const sent: string[] = [];
    const slowly = (payload: SendPayload) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          if (payload.msgtype === "text") sent.push(payload.text.content.slice(0, 2));
          resolve();
        }, Math.random() * 5),
      );
    const router = createRouter().on("text", async ({ message, reply }) => {
      await reply.text(`${message.Content}：${"一句话。".repeat(400)}`, { maxParts: 10 });
    });
    const app = createApp({ router, log: silentLog });
    const push = (Content: string, MsgId: string) =>
      app.handle(
        { ToUserName: "wx", FromUserName: "o-user", CreateTime: 1, MsgType: "text", Content, MsgId },
        { recipientOf: (message) => message.FromUserName, send: slowly },
      );
    await Promise.all([push("AA", "1"), push("BB", "2")]);
    const firsts = sent.map((head) => head.startsWith("AA") || head.startsWith("BB"));
    // The first part of each answer starts with its marker; the rest follow it before the other begins.
    const order = sent.map((head, index) => (firsts[index] === true ? head : "…")).join(" ");
    expect(order).toMatch(/^(AA|BB)( …)+ (AA|BB)( …)+$/);
    expect(sent.filter((head) => head === "AA")).toHaveLength(1);
    expect(sent.filter((head) => head === "BB")).toHaveLength(1);
  });

  test("a part that fails stops the rest, and the failure is the handler's", async () => {
    const log = createRecordingLog();
    let calls = 0;
    const router = createRouter().on("text", async ({ reply }) => {
      await reply.text("一句话。".repeat(1000), { maxParts: 10 });
    });
    const result = await createApp({ router, log, retry: { attempts: 1, backoffMs: [0] } }).handle(
      { ToUserName: "wx", FromUserName: "o-user", CreateTime: 1, MsgType: "text", Content: "长", MsgId: "1" },
      {
        recipientOf: (message) => message.FromUserName,
        send: () => {
          calls += 1;
          return calls === 2
            ? Promise.reject(Object.assign(new Error("invalid openid"), { errCode: 40003 }))
            : Promise.resolve();
        },
      },
    );
    expect(calls).toBe(2);
    expect(result).toMatchObject({ status: "handled", outcome: { sent: 1 } });
  });
});
