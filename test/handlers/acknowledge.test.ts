// An example of a handler's own test: run it on a message, look at what it would send. Copy it for your
// handlers; nothing is sent anywhere.
import { runHandler } from "wx-push-kit/testing";
import { acknowledge, ACKNOWLEDGEMENT } from "../../cloudfunctions/messagePush/src/handlers/acknowledge";

test("a text is answered with the acknowledgement, to its sender", async () => {
  const { sends, reply } = await runHandler(acknowledge, {
    FromUserName: "o-user",
    MsgType: "text",
    Content: "你好",
    MsgId: "1",
  });
  expect(sends).toEqual([{ touser: "o-user", msgtype: "text", text: { content: ACKNOWLEDGEMENT } }]);
  expect(reply).toBeUndefined();
});
