// THIS FILE IS NOT RUN. `npm run typecheck` compiles it, and test/docs/readme.test.ts checks that every
// ```ts block of the README that starts with `// example:` stands here word for word: the README's API
// examples are real, type-checked code.
import type { Handler } from "../../src/core/router";
import { createRouter } from "../../src/core/router";

const seen = new Map<string, number>();
const blocked = new Set<string>();

export const router = createRouter()
  // example: hears
  .hears(/人工|客服/, ({ reply }) => reply.transfer()) // 被动回复：转人工，不调用发送接口
  .on(
    "text",
    (message) => message.Content.startsWith("#"),
    async ({ message, reply }) => {
      await reply.text(`命令 ${message.Content.slice(1)} 已收到`);
    },
  )
  .on("text", async ({ message, reply }) => {
    await reply.typing(); // 可选：「对方正在输入」
    await reply.text(`收到：${message.Content}`);
  })
  // end example
  // example: middleware
  .use(async (ctx, next) => {
    if (blocked.has(ctx.openid)) return; // 不调用 next()：不处理、不回复
    const started = Date.now();
    await next();
    ctx.log.info("处理完成 handled", { route: ctx.route, ms: Date.now() - started });
  })
  .use(async (ctx, next) => {
    const count = (seen.get(ctx.openid) ?? 0) + 1; // 按用户计数（示例：单实例内存）
    seen.set(ctx.openid, count);
    if (count <= 100) await next();
  })
  .onError((error, ctx) => {
    ctx.log.error("处理失败 handler failed", { route: error.route, error: error.message });
  });
// end example

// example: handler file
export const greetByPage: Handler<"event.user_enter_tempsession"> = async ({ message, reply }) => {
  const page = message.SessionFrom ?? "首页";
  await reply.text(`您好！您从「${page}」进入客服，请直接发送问题。`);
};
// end example
