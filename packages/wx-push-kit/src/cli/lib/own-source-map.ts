// A bundle's source map cut down to the function's own sources (and the kit's). Stack frames in the function's code still
// name src/*.ts lines; frames inside the inlined SDK keep their bundle.js positions. The map shrinks from
// about 950 KiB to a few dozen, which every cold start reads and parses before the first reply
// (BENCHMARKS.md, section 1), and which every upload carries.
import type { SourceMapSegment } from "@jridgewell/sourcemap-codec";
import { decode, encode } from "@jridgewell/sourcemap-codec";
import path from "node:path";

interface SourceMap {
  sources: string[];
  names: string[];
  mappings: string;
  [field: string]: unknown;
}

/**
 * `directory` is the map's (its sources are relative to it); `ownRoots` are the folders of the function's own
 * code (its src/, and the kit's): what resolves outside them, the inlined SDK, maps to nothing.
 */
export function ownSourceMap(text: string, directory: string, ownRoots: string | readonly string[]): string {
  const map = JSON.parse(text) as SourceMap;
  const owns = (typeof ownRoots === "string" ? [ownRoots] : ownRoots).map(
    (root) => `${path.resolve(root)}${path.sep}`,
  );
  const sourceIndex = reindex(map.sources, (source) =>
    owns.some((own) => path.resolve(directory, source).startsWith(own)),
  );
  const usedNames = new Set<number>();
  const lines = decode(map.mappings).map((line) =>
    line.map((segment): SourceMapSegment => {
      // A segment of the inlined code keeps only its column: it maps to nothing, so the segment before it
      // does not stretch over it.
      if (segment.length === 1 || sourceIndex.get(segment[1]) === undefined) return [segment[0]];
      if (segment.length === 5) usedNames.add(segment[4]);
      return segment;
    }),
  );
  const nameIndex = reindex(map.names, (_name, index) => usedNames.has(index));
  const mappings = lines.map((line) =>
    line
      .filter((segment, index) => segment.length > 1 || line[index - 1]?.length !== 1)
      .map((segment): SourceMapSegment => {
        if (segment.length === 1) return segment;
        const source = sourceIndex.get(segment[1]) ?? 0;
        return segment.length === 5
          ? [segment[0], source, segment[2], segment[3], nameIndex.get(segment[4]) ?? 0]
          : [segment[0], source, segment[2], segment[3]];
      }),
  );
  return JSON.stringify({
    ...map,
    sources: map.sources.filter((_source, index) => sourceIndex.has(index)),
    names: map.names.filter((_name, index) => nameIndex.has(index)),
    mappings: encode(mappings),
  });
}

/** Old index → new index of the entries kept, in order. */
function reindex<T>(entries: readonly T[], keep: (entry: T, index: number) => boolean): Map<number, number> {
  const kept = new Map<number, number>();
  entries.forEach((entry, index) => {
    if (keep(entry, index)) kept.set(index, kept.size);
  });
  return kept;
}
