import type { Handler } from "wx-push-kit";

/** Sent when the user opens the chat (<button open-type="contact">). */
export const GREETING = "您好，欢迎咨询！请直接发送您的问题。";

// Entering a session allows 2 replies within 1 minute (later ones fail with 45015), so greet once, briefly.
// `message.SessionFrom` carries the button's `session-from`: use it to tailor the greeting per page.
export const greet: Handler<"event.user_enter_tempsession"> = async ({ reply }) => {
  await reply.text(GREETING);
};
