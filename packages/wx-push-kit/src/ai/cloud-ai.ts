// cloud.ai in wx-server-sdk: the models CloudBase serves (混元 and others, 云开发 AI+ → 大模型), called with
// the function's own credentials: no API key to keep. In the cloud function only (ctx.cloud()). The build
// sees this adapter in the bundle and keeps the SDK's AI part in the lean build for it (`wx-push build`).
// Docs: docs.cloudbase.net/ai/sdk-reference/ai (createModel, streamText → textStream).
import type { Model } from "./model";
import { ModelError } from "./model";

/**
 * Also how the build knows the bundle calls cloud.ai: this text (ASCII, so the minifier keeps it verbatim)
 * survives exactly when the adapter does (an import of wx-push-kit/ai that never calls cloudAi() is
 * tree-shaken away).
 */
export const CLOUD_AI_MARKER = "(this wx-server-sdk has no cloud.ai)";
// A plain literal (not a template using the marker): an unused one is dropped from the bundle.
const NO_CLOUD_AI = "这个 wx-server-sdk 没有 cloud.ai (this wx-server-sdk has no cloud.ai)";

export interface CloudAiOptions {
  /** The provider as CloudBase names it (default "hunyuan-exp"; "deepseek" and others as enabled). */
  provider?: string;
  /** The model, e.g. "hunyuan-turbos-latest" (the default). */
  model?: string;
  temperature?: number;
}

/** The part of `cloud.ai()` used here (wx-server-sdk's own types do not declare it). */
interface CloudAiModule {
  createModel(provider: string): {
    streamText(input: {
      model: string;
      messages: { role: string; content: string }[];
      temperature?: number;
    }): Promise<{ textStream: AsyncIterable<string>; error?: unknown }>;
  };
}

export function cloudAi(options: CloudAiOptions = {}): Model {
  const { provider = "hunyuan-exp", model = "hunyuan-turbos-latest" } = options;
  return (messages, { cloud, signal }) => stream(messages, cloud, signal);

  async function* stream(
    messages: Parameters<Model>[0],
    cloud: () => unknown,
    signal: AbortSignal,
  ): AsyncIterable<string> {
    const ai = (cloud() as { ai?: () => CloudAiModule }).ai;
    if (typeof ai !== "function") throw new ModelError(NO_CLOUD_AI);
    const answer = await ai()
      .createModel(provider)
      .streamText({
        model,
        messages: messages.map(({ role, content }) => ({ role, content })),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      });
    // The SDK takes no abort signal (it would ignore one): stop reading when the push's time is up.
    for await (const piece of answer.textStream) {
      if (signal.aborted) return;
      yield piece;
    }
    // An error answer on a stream reads as an empty one, with `error` set (wx-server-sdk 4.0.2).
    if (answer.error !== undefined)
      throw new ModelError(
        `cloud.ai 调用出错 (cloud.ai failed): ${answer.error instanceof Error ? answer.error.message : JSON.stringify(answer.error)}`,
      );
  }
}
