// For a project's own tests: replay recorded events through the built function, and try a handler alone.
export type { ConversationFixture, EventFixture } from "./event-fixtures";
export type { Replay, Replayed } from "./replay";
export { conversationFixtures, eventFixtures, useReplay } from "./replay";
export type { HandlerRun, HandlerRunOptions } from "./handler";
export { runHandler } from "./handler";
