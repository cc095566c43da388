import type { Send, SetTyping } from "../core/reply";
import type { WechatApiOptions } from "../wechat/client";
import { isTokenRejected } from "../core/send-errors";
import { postWechatApi } from "../wechat/client";
import type { TokenSource } from "../wechat/token";

/** Self-hosted replies: POST cgi-bin/message/custom/send, the same body as the cloud call. */
export function createHttpsSend(
  tokens: TokenSource,
  options: Omit<WechatApiOptions, "accessToken"> = {},
): Send {
  return async (payload) => {
    await withToken(tokens, (accessToken) =>
      postWechatApi("/cgi-bin/message/custom/send", payload, { ...options, accessToken }),
    );
  };
}

/** A call with the current access token; a token revoked early is refreshed and the call made once more. */
export async function withToken<T>(
  tokens: TokenSource,
  call: (accessToken: string) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(await tokens.get());
    } catch (error) {
      // E.g. another server forced a refresh: fetch a new one and try once more.
      if (attempt === 1 && isTokenRejected(error)) {
        tokens.invalidate();
        continue;
      }
      throw error;
    }
  }
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
