import { RELIABLE_DEPTH, nextInWalk, type WalkPosition } from './comment-walk';

/** Every position a walk visits over a listing of `total` items, pages of 30. */
function walk(total: number): WalkPosition[] {
  const visited: WalkPosition[] = [];
  let at: WalkPosition | null = { order: 'desc', cursor: 0 };
  while (at) {
    visited.push(at);
    const cursor = Math.min(total, at.cursor + 30);
    at = nextInWalk(at, { cursor, hasMore: cursor < total });
  }
  return visited;
}

describe('nextInWalk', () => {
  it('reads a video of up to RELIABLE_DEPTH comments once, newest first', () => {
    expect(walk(0)).toEqual([{ order: 'desc', cursor: 0 }]);
    expect(walk(45)).toEqual([
      { order: 'desc', cursor: 0 },
      { order: 'desc', cursor: 30 },
    ]);
    expect(walk(RELIABLE_DEPTH).every((p) => p.order === 'desc')).toBe(true);
  });

  it('reads a bigger video again oldest first, only over the exact first RELIABLE_DEPTH items', () => {
    const visited = walk(700);
    const desc = visited.filter((p) => p.order === 'desc');
    const asc = visited.filter((p) => p.order === 'asc');
    expect(desc).toHaveLength(Math.ceil(700 / 30));
    expect(asc[0]).toEqual({ order: 'asc', cursor: 0 });
    expect(asc.at(-1)!.cursor).toBeLessThan(RELIABLE_DEPTH);
    expect(asc.at(-1)!.cursor + 30).toBeGreaterThanOrEqual(RELIABLE_DEPTH);
    // the oldest-first window and the newest-first window overlap: together they cover all 700
    expect(asc.at(-1)!.cursor + 30 + RELIABLE_DEPTH).toBeGreaterThanOrEqual(700);
  });

  it('reads a video of more than 2 × RELIABLE_DEPTH oldest first until it meets the newest-first exact window', () => {
    const visited = walk(1_700);
    const asc = visited.filter((p) => p.order === 'asc');
    expect(asc[0]).toEqual({ order: 'asc', cursor: 0, until: 1_700 - RELIABLE_DEPTH });
    expect(asc.every((p) => p.until === 1_200)).toBe(true);
    // every position is read in the exact part of one pass, or in both passes
    const ascEnd = asc.at(-1)!.cursor + 30;
    expect(ascEnd).toBeGreaterThanOrEqual(1_700 - RELIABLE_DEPTH);
    expect(ascEnd - 30).toBeLessThan(1_700 - RELIABLE_DEPTH);
  });

  it('ends a pass whose cursor does not move', () => {
    expect(nextInWalk({ order: 'desc', cursor: 60 }, { cursor: 60, hasMore: true })).toBeNull();
    expect(nextInWalk({ order: 'asc', cursor: 60 }, { cursor: 60, hasMore: true })).toBeNull();
    expect(nextInWalk({ order: 'desc', cursor: 600 }, { cursor: 600, hasMore: true })).toEqual({ order: 'asc', cursor: 0 });
  });
});
