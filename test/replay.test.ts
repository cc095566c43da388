// Your bot as WeChat runs it: every event in test/fixtures/events goes through the BUILT function (index.js,
// what DevTools uploads) and the real wx-server-sdk, each as a fresh delivery, its cloud calls recorded at a
// loopback stand-in. What it sent and returned is a jest snapshot (test/__snapshots__/): change a reply and the
// test shows the difference; `npm test -- -u` records the new one. A new event file is recorded on its first run.
import { conversationFixtures, eventFixtures, useReplay } from "wx-push-kit/testing";

const replay = useReplay();

test.each(eventFixtures().map((fixture) => [fixture.name, fixture] as const))(
  "%s: what it sends and returns",
  async (_name, fixture) => {
    expect(await replay.deliver(fixture)).toMatchSnapshot();
  },
);

// One user's pushes in order (test/fixtures/conversations): what a step remembers, the next one sees.
const conversations = conversationFixtures();
if (conversations.length > 0)
  test.each(conversations.map((fixture) => [fixture.name, fixture] as const))(
    "conversation %s: what each step sends and returns",
    async (_name, fixture) => {
      expect(await replay.converse(fixture)).toMatchSnapshot();
    },
  );
