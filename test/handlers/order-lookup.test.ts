// The order lookup, one step at a time: each handler is given the session the step before left.
import { runHandler } from "wx-push-kit/testing";
import {
  answerOrder,
  ASK_ORDER_NUMBER,
  askOrderNumber,
} from "../../cloudfunctions/messagePush/src/handlers/order-lookup";

test("「查订单」 asks for the number and waits for it", async () => {
  const { sends, session } = await runHandler(
    askOrderNumber,
    { MsgType: "text", Content: "查订单", MsgId: "1" },
    { session: {} },
  );
  expect(sends.map((send) => send.msgtype === "text" && send.text.content)).toEqual([ASK_ORDER_NUMBER]);
  expect(session).toEqual({ awaiting: "order-number" });
});

test("the next text is taken as the order number, and the wait is over", async () => {
  const { sends, session } = await runHandler(
    answerOrder,
    { MsgType: "text", Content: " A1234 ", MsgId: "2" },
    { session: { awaiting: "order-number" } },
  );
  expect(sends).toHaveLength(1);
  expect(JSON.stringify(sends[0])).toContain("A1234");
  expect(session).toEqual({});
});
