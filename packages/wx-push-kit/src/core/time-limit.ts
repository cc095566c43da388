/**
 * `work`'s result, or `onTimeout()`'s error once `ms` have passed. The work is not cancelled (it may still
 * settle; nobody waits for it, and the race already handles a late rejection); no timer outlives the call.
 */
export async function withTimeLimit<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
