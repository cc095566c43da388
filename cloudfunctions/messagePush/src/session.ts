import type { AiSession } from "wx-push-kit/ai";

/**
 * What the bot remembers of each user between messages (kept for 24 hours after the last one, in the same
 * store as the dedupe records: the CloudBase database in the cloud). Add what your flows need. `aiHistory`
 * (from AiSession) is the recent conversation with the model, kept by the 「问：」 route.
 */
export interface Session extends AiSession {
  /** What the user's next text answers: set by a question, cleared by its answer. */
  awaiting?: "order-number";
}

export const newSession = (): Session => ({});
