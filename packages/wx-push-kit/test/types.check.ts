// THIS FILE IS NOT RUN. `npm run typecheck` compiles it: each @ts-expect-error must meet an error, so a
// loosened type (an `any` leaking into the handler API, a camelCase key accepted) fails the build.
import type { CloudSdk } from "../src/cloud/sdk";
import type { SendPayload } from "../src/core/reply";
import type { Handler } from "../src/core/router";
import { createRouter } from "../src/core/router";
import type { RouteRow } from "../src/core/routes";
import { ROUTE_TABLE } from "../src/core/routes";

const router = createRouter();

router.on("text", ({ message }) => {
  const content: string = message.Content;
  // @ts-expect-error a text message has no PicUrl
  void message.PicUrl;
  void content;
});

router.on(["image", "miniprogrampage"], ({ message }) => {
  // Both may carry MsgId (absent only in unusual pushes); only after narrowing on MsgType do their own fields appear.
  const id: string | undefined = message.MsgId;
  if (message.MsgType === "image") void message.MediaId;
  // @ts-expect-error PagePath exists on miniprogrampage only
  void message.PagePath;
  void id;
});

router.on("event.user_enter_tempsession", ({ message }) => {
  const from: string | undefined = message.SessionFrom;
  void from;
});

// @ts-expect-error "voice" is not a modelled route: it reaches otherwise()
router.on("voice", () => {});

router.otherwise(({ message }) => {
  const type: string = message.MsgType;
  // @ts-expect-error unknown pushes are not narrowed to a modelled type
  void message.Content;
  void type;
});

const onText: Handler<"text"> = ({ message }) => void message.Content;
// @ts-expect-error a text handler cannot take image pushes
router.on("image", onText);

export const payloads: SendPayload[] = [
  { touser: "o", msgtype: "text", text: { content: "收到" } },
  { touser: "o", msgtype: "image", image: { media_id: "m" } },
  // @ts-expect-error camelCase keys are refused: wx-server-sdk would rename them, HTTPS would ignore them
  { touser: "o", msgtype: "image", image: { mediaId: "m" } },
  // @ts-expect-error the body must match msgtype
  { touser: "o", msgtype: "text", image: { media_id: "m" } },
  // @ts-expect-error thumb_media_id is required on a mini program card
  { touser: "o", msgtype: "miniprogrampage", miniprogrampage: { title: "t", pagepath: "p" } },
];

export function sendThroughTheSdk(sdk: CloudSdk): Promise<unknown> {
  // @ts-expect-error the typed SDK surface refuses an untyped body, unlike wx-server-sdk's own `any`
  return sdk.openapi.customerServiceMessage.send({ touser: "o", msgtype: "text", text: { Content: "x" } });
}

// Passive replies: only user messages can be handed to human agents, never events.
router.on("text", ({ reply }) => reply.transfer());
router.on(["image", "miniprogrampage"], ({ reply }) => reply.transfer());
router.on("event.user_enter_tempsession", ({ reply }) => {
  // @ts-expect-error an event cannot be transferred to an agent
  void reply.transfer;
});
router.otherwise(({ reply }) => {
  // @ts-expect-error an unmodelled push cannot be transferred either
  void reply.transfer;
});
// @ts-expect-error a handler returns a passive reply or nothing, not an arbitrary value
router.on("text", () => "transfer");

// Matchers keep the route's narrowing: a text matcher's handler sees a TextMessage.
router.hears(/人工/, ({ message, reply }) => {
  const content: string = message.Content;
  void content;
  return reply.transfer();
});
router.on(
  "image",
  (message) => message.MediaId !== "",
  ({ message }) => {
    const url: string = message.PicUrl;
    void url;
  },
);
// @ts-expect-error a RegExp tests text content only; an image has none
router.on("image", /x/, () => {});
router.on(
  "text",
  (message) => {
    // @ts-expect-error a text matcher's message has no MediaId
    void message.MediaId;
    return true;
  },
  () => {},
);

// Middleware is typed: it sees any push with its route, and next() is a promise.
router.use(async (ctx, next) => {
  const openid: string = ctx.openid;
  if (ctx.route === "text") {
    const content: string = ctx.message.Content;
    void content;
  }
  // @ts-expect-error before narrowing on route, the message may not be text
  void ctx.message.Content;
  const going: Promise<void> = next();
  await going;
  void openid;
});
router.onError((error, ctx) => {
  const route: string = error.route;
  void route;
  void ctx.openid;
});

// Notifications are not conversations: no reply; their payloads are typed.
router.on("event.wxa_media_check", (ctx) => {
  const suggest: string = ctx.message.result.suggest;
  const label: number = ctx.message.result.label;
  const traceId: string = ctx.message.trace_id;
  void [suggest, label, traceId];
  // @ts-expect-error a media-check handler has no reply
  void ctx.reply;
});
router.on("event.subscribe_msg_change_event", ({ message }) => {
  // List is always an array for handlers, whatever shape the push had.
  const first: string | undefined = message.List[0]?.TemplateId;
  void first;
});

// Route kinds come from the route table, and a row cannot contradict its message type.
const textRow: RouteRow<"text"> = ROUTE_TABLE.text;
const enterRow: RouteRow<"event.user_enter_tempsession"> = ROUTE_TABLE["event.user_enter_tempsession"];
// @ts-expect-error a text is a user's message: marking it a notification does not compile
const textAsNotification: RouteRow<"text"> = { ...ROUTE_TABLE.text, kind: "notification" };
const mediaCheck = ROUTE_TABLE["event.wxa_media_check"];
// @ts-expect-error a media-check result is an event: it cannot be a user's message
const checkAsMessage: RouteRow<"event.wxa_media_check"> = { ...mediaCheck, kind: "message" };
void [textRow, enterRow, textAsNotification, checkAsMessage];

router.on("event.wxa_media_check", (ctx) => {
  // @ts-expect-error a notification's handler has no reply (nothing is sent for it)
  void ctx.reply;
});
router.on("event.user_enter_tempsession", async ({ reply }) => {
  await reply.text("hi");
  // @ts-expect-error an event is never handed to a person (「对于其他任何事件都不应该转接」)
  void reply.transfer;
});
