import type { Handler } from "wx-push-kit";

// Notifications are not conversations: nothing is sent for them, and their handlers have no reply.

/**
 * The verdict of security.mediaCheckAsync for an upload. Act on "risky" in your own code: find the
 * record you stored with this trace_id when you called mediaCheckAsync, and hide or delete the content
 * (see the README, 「内容安全检测结果」).
 */
export const logMediaCheck: Handler<"event.wxa_media_check"> = ({ message, log }) => {
  const { suggest, label } = message.result;
  const line =
    suggest === "risky"
      ? "内容安全：有风险 media check: risky"
      : suggest === "review"
        ? "内容安全：需人工复审 media check: review"
        : "内容安全：通过 media check: pass";
  log[suggest === "pass" ? "info" : "warn"](line, { trace_id: message.trace_id, suggest, label });
};

/** A user accepted, rejected or changed subscription templates, or a subscription message was delivered. */
export const logSubscription: Handler<
  "event.subscribe_msg_popup_event" | "event.subscribe_msg_change_event" | "event.subscribe_msg_sent_event"
> = ({ message, log }) => {
  log.info("订阅消息事件 subscription event", {
    Event: message.Event,
    List: message.List.map(({ TemplateId, SubscribeStatusString, ErrorCode }) => ({
      TemplateId,
      ...(SubscribeStatusString === undefined ? {} : { SubscribeStatusString }),
      ...(ErrorCode === undefined ? {} : { ErrorCode }),
    })),
  });
};
