import type { Send, SetTyping } from "../cloudfunctions/messagePush/src/core/reply";
import type { WechatApiOptions } from "./wechat-api/client";
import { postWechatApi, WechatApiError } from "./wechat-api/client";
import type { TokenSource } from "./wechat-api/token";

const TOKEN_REJECTED = new Set([40001, 40014, 42001]);

/** Self-hosted replies: POST cgi-bin/message/custom/send, the same body as the cloud call. */
export function createHttpsSend(
  tokens: TokenSource,
  options: Omit<WechatApiOptions, "accessToken"> = {},
): Send {
  return async (payload) => {
    for (let attempt = 1; ; attempt += 1) {
      const accessToken = await tokens.get();
      try {
        await postWechatApi("/cgi-bin/message/custom/send", payload, {
          ...options,
          accessToken,
        });
        return;
      } catch (error) {
        // A token revoked early (e.g. another server forced a refresh): fetch a new one and try once more.
        if (attempt === 1 && error instanceof WechatApiError && TOKEN_REJECTED.has(error.errcode)) {
          tokens.invalidate();
          continue;
        }
        throw error;
      }
    }
  };
}

/** Self-hosted typing indicator: POST cgi-bin/message/custom/business/typing (the mini program endpoint). */
export function createHttpsTyping(
  tokens: TokenSource,
  options: Omit<WechatApiOptions, "accessToken"> = {},
): SetTyping {
  return async (touser, command) => {
    await postWechatApi(
      "/cgi-bin/message/custom/business/typing",
      { touser, command },
      {
        ...options,
        accessToken: await tokens.get(),
      },
    );
  };
}
