// The cloud function. Built into ../index.js by `npm run build`; the kit wires the pipeline, the dedupe
// store and the HTTP-trigger door. Your code is in bot.ts and handlers/.
import { createCloudFunction } from "wx-push-kit/cloud";
import { createBot } from "./bot";

export const main = createCloudFunction(createBot);
