// The bundle's source map cut to the function's own sources: frames in src/ still map, frames in the
// inlined SDK map to nothing (rather than to the nearest line of ours).
import { decode, encode } from "@jridgewell/sourcemap-codec";
import { ownSourceMap } from "../../src/cli/lib/own-source-map";

test("sources are judged where they resolve: a build elsewhere keeps the function's own", () => {
  const input = {
    version: 3,
    sources: ["../../wx-server-sdk/index.js", "../../../cloudfunctions/messagePush/src/index.ts"],
    names: [],
    mappings: encode([
      [
        [0, 0, 0, 0],
        [5, 1, 0, 0],
      ],
    ]),
  };
  const output = JSON.parse(
    ownSourceMap(
      JSON.stringify(input),
      "/repo/node_modules/.cache/build-x",
      "/repo/cloudfunctions/messagePush/src",
    ),
  ) as typeof input;
  expect(output.sources).toEqual(["../../../cloudfunctions/messagePush/src/index.ts"]);
  expect(decode(output.mappings)).toEqual([[[0], [5, 0, 0, 0]]]);
});

test("keeps the function's own sources and names, reindexed; the inlined code maps to nothing", () => {
  const input = {
    version: 3,
    sources: [
      "../../node_modules/axios/index.js",
      "src/index.ts",
      "../../node_modules/bson/lib.js",
      "src/app.ts",
    ],
    names: ["axiosName", "main", "bsonName", "handle"],
    mappings: encode([
      [
        [0, 0, 1, 0, 0], // axios, with a name
        [10, 1, 4, 2, 1], // src/index.ts, name "main"
        [20, 2, 0, 0, 2], // bson
        [25, 2, 0, 5], // bson again: one unmapped marker is enough
        [30, 3, 7, 1, 3], // src/app.ts, name "handle"
        [40], // already unmapped
      ],
      [[0, 1, 9, 0]],
    ]),
    file: "bundle.js",
  };
  const output = JSON.parse(
    ownSourceMap(
      JSON.stringify(input),
      "/repo/cloudfunctions/messagePush",
      "/repo/cloudfunctions/messagePush/src",
    ),
  ) as typeof input;
  expect(output.sources).toEqual(["src/index.ts", "src/app.ts"]);
  expect(output.names).toEqual(["main", "handle"]);
  expect(output.file).toBe("bundle.js");
  expect(decode(output.mappings)).toEqual([
    [[0], [10, 0, 4, 2, 0], [20], [30, 1, 7, 1, 1], [40]],
    [[0, 0, 9, 0]],
  ]);
});
