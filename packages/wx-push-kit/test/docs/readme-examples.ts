// THIS FILE IS NOT RUN. `npm run typecheck` compiles it, and test/docs/readme.test.ts checks that every
// ```ts block of the README that starts with `// example:` stands here word for word: the README's API
// examples are real, type-checked code.
import type { Handler } from "../../src/core/router";
import { createRouter } from "../../src/core/router";
import type { AiSession } from "../../src/ai/index";
import { aiReply, openAiCompatible } from "../../src/ai/index";

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

// example: session
interface Survey {
  step: "name" | "phone" | "done";
  name?: string;
}

export const survey = createRouter<Survey>({
  session: { initial: () => ({ step: "name" }), ttlMs: 30 * 60 * 1000 },
  handover: {
    resume: /返回机器人|结束人工/,
    notice: { text: "已为您转接人工客服，请稍候", everyMs: 10 * 60 * 1000 },
    hours: { open: "09:00", close: "21:00", closedReply: "人工客服 9:00–21:00 在线，请留言" },
  },
})
  .hears(/人工/, ({ reply }) => reply.transfer())
  .on("text", async ({ message, reply, session }) => {
    if (session.step === "name") {
      session.name = message.Content;
      session.step = "phone";
      await reply.text("请输入手机号");
    } else if (session.step === "phone") {
      session.step = "done";
      await reply.text(`${session.name ?? ""}，已登记 ${message.Content}`);
    }
  })
  .onOverBudget((refused, { log }) => {
    log.warn("额度用完 over budget", { window: refused.window });
  });
// end example

// example: quota
export const burst: Handler<"event.user_enter_tempsession"> = async ({ reply }) => {
  await reply.text("您好！");
  if ((reply.remaining() ?? 1) > 0) await reply.text("常见问题请点菜单");
  const third = await reply.text("这一条超出进入会话后 1 分钟 2 条的额度");
  if (third.status === "over-budget") {
    // 未调用发送接口；onOverBudget 已被通知一次
  }
};
// end example

// example: pictures
export const pictures = createRouter()
  .hears("二维码", async ({ reply }) => {
    await reply.image({ file: "assets/qrcode.png" }); // 函数目录里的文件：首次上传，之后复用 media_id
  })
  .hears("商品", async ({ reply }) => {
    await reply.miniProgramPage({
      title: "本周新品",
      pagepath: "pages/goods/index?id=42",
      thumb: { file: "assets/goods-42.jpg" },
    });
  })
  .hears("海报", async ({ reply }) => {
    const bytes = await renderPoster(); // 任何 Buffer：PNG/JPEG/GIF，最大 10 MB
    await reply.image({ data: bytes, contentType: "image/png" });
  });
// end example

declare function renderPoster(): Promise<Buffer>;

// example: incoming image
export const saveImage: Handler<"image"> = async ({ message, media, cloud, reply }) => {
  const picture = await media.fetch(message.MediaId); // getTempMedia：字节和类型
  await cloud().uploadFile({
    cloudPath: `customer-images/${message.FromUserName}/${message.MsgId}.jpg`,
    fileContent: picture.data,
  });
  await reply.text("图片已收到，客服会尽快查看");
};
// end example

// example: long answer
export const faq: Handler<"text"> = async ({ reply }) => {
  const answer = await lookUpAnswer(); // 可能很长（例如大模型的输出）
  await reply.text(answer, { ai: true }); // 超过 2000 字节按段落、句子切成几条依次发出；标注「内容由第三方AI生成」
};
// end example

declare function lookUpAnswer(): Promise<string>;

// example: ai bot
type ShopSession = AiSession; // 你的会话类型：aiHistory 是和模型的最近对话

const FAQ: [RegExp, string][] = [
  [/运费|包邮/, "满 99 元包邮，不满收 8 元运费。"],
  [/发票/, "下单时在「发票」一栏填写抬头，电子发票会发到您的邮箱。"],
];
const faqAnswer = (content: string) => FAQ.find(([pattern]) => pattern.test(content))?.[1];

export const aiBot = createRouter<ShopSession>({ session: { initial: () => ({}) } })
  .hears(/人工|客服/, ({ reply }) => reply.transfer()) // 找人：照样转人工，之后模型不再作答
  .on(
    "text",
    (message) => faqAnswer(message.Content) !== undefined,
    async ({ message, reply }) => {
      await reply.text(faqAnswer(message.Content) ?? ""); // 常见问题：固定答案，不花模型的钱
    },
  )
  .on(
    "text",
    aiReply<ShopSession>({
      model: openAiCompatible(), // AI_BASE_URL、AI_API_KEY、AI_MODEL 从云函数的环境变量读
      instructions: "你是「示例商城」的客服，回答简短、礼貌；不确定时请用户回复「人工」。",
      fallback: "抱歉，暂时无法回答，请稍后再试，或回复「人工」联系客服。",
    }),
  );
// end example

// example: once
export const placeOrder: Handler<"text"> = async ({ message, once, reply }) => {
  const order = await once("create-order", () => createOrder(message.Content)); // 重投、重跑都只创建一次
  await reply.text(`订单 ${order.id} 已创建`);
};
// end example

declare function createOrder(content: string): Promise<{ id: string }>;
