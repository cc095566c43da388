/** The environment a door reads its settings from. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment as settings: a variable set to "" (or to spaces only) counts as unset, so `HOST=` binds
 * the default address rather than every interface and `PORT=` the default port rather than a random one.
 */
export function settingsOf(env: Env): Env {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== "",
    ),
  );
}
