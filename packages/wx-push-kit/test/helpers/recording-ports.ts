// Door ports that answer every send at once and keep what was sent, replying to the push's sender.
import type { DoorPorts } from "../../src/core/app";
import type { SendPayload } from "../../src/core/reply";

export function recordingPorts(): { sent: SendPayload[]; ports: DoorPorts } {
  const sent: SendPayload[] = [];
  const ports: DoorPorts = {
    recipientOf: (message) => message.FromUserName,
    send: (payload) => Promise.resolve(void sent.push(payload)),
  };
  return { sent, ports };
}
