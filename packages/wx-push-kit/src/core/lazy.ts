/** A value made on first use and kept: how code that only one path needs stays off the cold start. */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
