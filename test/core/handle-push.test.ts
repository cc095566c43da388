import { handlePush } from "../../cloudfunctions/messagePush/src/core/handle-push";
import { silentLog } from "../../cloudfunctions/messagePush/src/core/log";
import { createMemoryStore } from "../../cloudfunctions/messagePush/src/core/memory-store";
import { createRouter } from "../../cloudfunctions/messagePush/src/core/router";

const push = {
  ToUserName: "wx1",
  FromUserName: "o-user",
  CreateTime: 1,
  MsgType: "text",
  Content: "hi",
  MsgId: "1",
};

test("the pipeline hands the typing port to handlers that opt in", async () => {
  const calls: string[] = [];
  const app = createRouter().on("text", async ({ reply }) => {
    await reply.typing();
    await reply.text("收到");
  });
  const result = await handlePush(push, app, {
    log: silentLog,
    store: createMemoryStore(),
    recipientOf: (message) => message.FromUserName,
    send: (payload) => Promise.resolve(void calls.push(`send ${payload.touser}`)),
    typing: (touser, command) => Promise.resolve(void calls.push(`${command} ${touser}`)),
  });
  expect(result).toMatchObject({ status: "handled", retry: false, outcome: { route: "text", sent: 1 } });
  expect(calls).toEqual(["Typing o-user", "send o-user"]);
});

test("a malformed push is reported, not thrown, and nothing is sent", async () => {
  const sent: unknown[] = [];
  const result = await handlePush({ MsgType: 1 }, createRouter(), {
    log: silentLog,
    recipientOf: () => "o",
    send: (payload) => Promise.resolve(void sent.push(payload)),
  });
  expect(result).toMatchObject({ status: "malformed" });
  expect(sent).toEqual([]);
});
