import type { WechatApiOptions } from "./client";
import { postWechatApi, WechatTransportError } from "./client";

export interface TokenSource {
  /** A valid access_token, fetched once and shared until shortly before it expires. */
  get(): Promise<string>;
  /** Forget the cached token (WeChat said 40001/40014/42001). */
  invalidate(): void;
}

export interface TokenSourceOptions extends Omit<WechatApiOptions, "accessToken"> {
  appid: string;
  secret: string;
  now?: () => number;
  /** Told of each token fetched, so the redactor can hide it wherever an answer or an error echoes it. */
  onToken?: (token: string) => void;
}

/** access tokens from cgi-bin/stable_token (POST): unaffected by other callers of cgi-bin/token. */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { appid, secret, now = Date.now, onToken, ...api } = options;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const fetchToken = async () => {
    const answer = await postWechatApi<{
      access_token?: unknown;
      expires_in?: unknown;
    }>(
      "/cgi-bin/stable_token",
      { grant_type: "client_credential", appid, secret, force_refresh: false },
      // Asking for the token again changes nothing (force_refresh false): safe to repeat once.
      { retries: 1, ...api },
    );
    if (typeof answer.access_token !== "string" || typeof answer.expires_in !== "number") {
      throw new WechatTransportError("bad-json", "/cgi-bin/stable_token", "no access_token in the answer");
    }
    onToken?.(answer.access_token);
    // Refresh 5 minutes early (the platform's own margin), or at half-life for short-lived tokens.
    const margin = Math.min(300, answer.expires_in / 2) * 1000;
    cached = {
      token: answer.access_token,
      expiresAt: now() + answer.expires_in * 1000 - margin,
    };
    return answer.access_token;
  };

  return {
    get() {
      if (cached !== undefined && cached.expiresAt > now()) return Promise.resolve(cached.token);
      // One request for all concurrent callers.
      pending ??= fetchToken().finally(() => (pending = undefined));
      return pending;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
