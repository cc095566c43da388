import type { Handler } from "wx-push-kit";

// Other pushes (other events, message types this template does not model) may be routed to the same
// function; acknowledge them without replying so WeChat does not retry.
export const logUnknown: Handler<"unknown"> = ({ message, log }) => {
  log.info("未处理的推送（没有对应路由）push not handled", {
    MsgType: message.MsgType,
    Event: message.Event,
  });
};
