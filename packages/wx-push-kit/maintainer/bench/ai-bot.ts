// Section 1's AI bot: the fixture project's bot with one route answered by cloud.ai. Built lean, the build
// keeps the SDK's AI part for it (`// sdk: lean+ai`): what an AI bot's cold start costs against the sample.
import { aiReply, cloudAi } from "../../src/ai/index";
import { createCloudFunction } from "../../src/cloud/index";
import { createBot } from "../../test/fixture-project/cloudfunctions/messagePush/src/bot";

export const main = createCloudFunction(() =>
  createBot().hears(/^问/, aiReply({ model: cloudAi(), fallback: "暂时无法回答" })),
);
