/**
 * Runs `work` on every item, at most `limit` at a time, starting them in the items' order: `limit`
 * workers each take the next item not started yet. For the fan-outs of a batch (Apple pushes, Google
 * updates, their notes) and the sweep's shards. `work` reports its own failures; one that throws
 * rejects the whole run, as Promise.all does.
 */
export const eachInParallel = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};
