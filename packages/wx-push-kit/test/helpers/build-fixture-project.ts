// jest globalSetup: the fixture project's function, built by the kit's own build, before any suite runs it.
import { buildFunction } from "../../src/cli/build";

export default async function buildFixtureProject(): Promise<void> {
  await buildFunction();
}
