// A text answered by a language model, exactly once per push: the answer is generated under `ctx.once`, so a
// redelivery (on this instance or another, during generation or after) reuses it or stays quiet, and never
// calls the model again; kept within the push's time, with the typing indicator alive and a fallback reply
// when the model fails or is too slow; sent as plain text, labelled AI, split in order within the quota.
import type { Handler, PushContext } from "../core/router";
import type { TextMessage } from "../core/message";
import type { SendResult } from "../core/conversation";
import { OnceError } from "../core/once";
import { messageOf } from "../core/local-first-store";
import { withTimeLimit } from "../core/time-limit";
import type { ChatMessage, Model } from "./model";
import { answerOf, ModelError } from "./model";
import { toPlainText } from "./markdown";

/** What an AI bot's session keeps: the recent conversation, bounded, sent to the model with each question. */
export interface AiSession {
  aiHistory?: ChatMessage[];
}

export interface AiReplyOptions {
  model: Model;
  /** The system prompt: who the bot is and what it may say. */
  instructions?: string;
  /** What the user is told when the model fails or cannot answer in time (not labelled AI: it is yours). */
  fallback: string;
  /** Questions and answers kept in the session for the next question (default 5 pairs; 0 keeps none). */
  historyTurns?: number;
  /** And at most this many characters of them (default 4000): the oldest go first. */
  historyChars?: number;
  /** The question in a text (default: its whole Content), e.g. without a 「问：」 prefix. */
  question?: (message: TextMessage) => string;
  /** At most this many messages for one answer (default 5: the quota of a 48-hour window). */
  maxParts?: number;
  /** Never wait for the model longer than this (ms; default 60 s), whatever time the push has. */
  timeoutMs?: number;
}

/** Kept before the push's deadline for what follows the model: the answer's sends, or the fallback. */
export const SEND_RESERVE_MS = 1500;
/** The typing indicator lasts ~15 s: refreshed well before it lapses while the model works. */
export const TYPING_REFRESH_MS = 10_000;
const DEFAULT_TURNS = 5;
const DEFAULT_CHARS = 4000;
const DEFAULT_TIMEOUT_MS = 60_000;

type TextContext<S> = PushContext<TextMessage, S>;

/**
 * A text handler that answers with `options.model`; see the README's 「AI 回复」. In a bot with sessions the
 * history is kept as the session's `aiHistory` (declare it: `interface Session extends AiSession`).
 */
export function aiReply<S = unknown>(options: AiReplyOptions): Handler<"text", S> {
  return async (ctx) => {
    const { message, reply, handover, log } = ctx;
    const session = sessionOf(ctx.session);
    // A person has the conversation: the model is not paid to answer what nobody will see.
    if (handover.active) {
      log.info("用户正由人工客服接待，模型不作答 with a person: the model does not answer");
      return;
    }
    const question = (options.question?.(message) ?? message.Content).trim();
    if (question === "") return;
    let answer: string;
    try {
      answer = await ctx.once("ai-answer", () => generate(ctx, question));
    } catch (error) {
      if (error instanceof OnceError && error.reason === "running") {
        log.info("同一推送的另一次投递正在生成回答，本次不作答 another delivery is generating the answer");
        return;
      }
      log.warn("模型未能作答，发送备用回复 no answer from the model: the fallback reply is sent", {
        error: messageOf(error),
      });
      return reply.text(options.fallback);
    }
    const sent: SendResult = await reply.text(answer, {
      ai: true,
      ...(options.maxParts === undefined ? {} : { maxParts: options.maxParts }),
    });
    if (session !== undefined) remember(session, question, answer, options);
    return sent;
  };

  async function generate(ctx: TextContext<S>, question: string): Promise<string> {
    const { reply, log } = ctx;
    const session = sessionOf(ctx.session);
    const timeLeft = ctx.timeLeft() - SEND_RESERVE_MS;
    const budget = Math.min(timeLeft, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (budget <= 0) throw new ModelError("剩余时间不足以调用模型 (no time left to call the model)");
    const messages: ChatMessage[] = [
      ...(options.instructions === undefined
        ? []
        : [{ role: "system" as const, content: options.instructions }]),
      ...historyIn(session),
      { role: "user", content: question },
    ];
    const controller = new AbortController();
    const typing = setInterval(() => void reply.typing(), TYPING_REFRESH_MS);
    const startedAt = Date.now();
    log.info("调用模型 calling the model", { messages: messages.length, budgetMs: Math.round(budget) });
    try {
      await reply.typing();
      const raw = await withTimeLimit(
        answerOf(options.model(messages, { signal: controller.signal, cloud: () => ctx.cloud() })),
        budget,
        () => {
          controller.abort();
          return new ModelError(
            `模型 ${Math.round(budget)} ms 内没有答完 (the model did not finish in time)`,
          );
        },
      );
      const text = toPlainText(raw);
      if (text === "") throw new ModelError("模型返回了空回答 (the model answered nothing)");
      log.info("模型已作答 the model answered", { ms: Date.now() - startedAt, chars: text.length });
      return text;
    } finally {
      clearInterval(typing);
    }
  }
}

/** The session as history is kept in it; none in a bot without sessions. */
function sessionOf(session: unknown): AiSession | undefined {
  return typeof session === "object" && session !== null ? session : undefined;
}

/** The kept history, as far as it is well formed (a session is stored JSON: anything may be there). */
function historyIn(session: AiSession | undefined): ChatMessage[] {
  const kept: unknown = session?.aiHistory;
  return Array.isArray(kept)
    ? kept.filter(
        (item): item is ChatMessage =>
          typeof item === "object" &&
          item !== null &&
          ["user", "assistant"].includes((item as ChatMessage).role) &&
          typeof (item as ChatMessage).content === "string",
      )
    : [];
}

/** Adds the question and its answer to the session's history, bounded by turns and characters. */
function remember(session: AiSession, question: string, answer: string, options: AiReplyOptions): void {
  const turns = options.historyTurns ?? DEFAULT_TURNS;
  const chars = options.historyChars ?? DEFAULT_CHARS;
  const all: ChatMessage[] = [
    ...historyIn(session),
    { role: "user", content: question },
    { role: "assistant", content: answer },
  ];
  let kept = turns <= 0 ? [] : all.slice(-2 * turns);
  while (kept.length > 0 && kept.reduce((total, { content }) => total + content.length, 0) > chars)
    kept = kept.slice(2);
  if (kept.length === 0) delete session.aiHistory;
  else session.aiHistory = kept;
}
