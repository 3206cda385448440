import { describe, expect, it } from "vitest";
import { eachInParallel } from "../../functions/shared/parallel.js";

describe("eachInParallel", () => {
  it("does every item once, starting them in order, never more than the limit at a time", async () => {
    // Prepare
    const started: number[] = [];
    let running = 0;
    let most = 0;

    // Act
    await eachInParallel([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      started.push(item);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 8 - item));
      running -= 1;
    });

    // Assess
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
    expect(running).toBe(0);
  });

  it("takes items that are falsy (0, empty strings) like any other, and nothing at all", async () => {
    // Prepare
    const done: unknown[] = [];

    // Act
    await eachInParallel([0, "", 2], 8, async (item) => {
      done.push(item);
    });
    await eachInParallel([], 8, async () => {
      throw new Error("no item to work on");
    });

    // Assess
    expect(done).toEqual([0, "", 2]);
  });
});
