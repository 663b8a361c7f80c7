import { SlidingWindowLimiter } from './sliding-window-limiter';

describe('SlidingWindowLimiter', () => {
  it('allows the limit per window per key, then says how long to wait', () => {
    const l = new SlidingWindowLimiter(2, 1000);
    expect(l.take('a', 0)).toBe(0);
    expect(l.take('a', 100)).toBe(0);
    expect(l.take('a', 200)).toBeGreaterThan(0);
    expect(l.take('b', 200)).toBe(0);
  });

  it('weights the previous window, so a burst at a boundary does not double the budget', () => {
    const l = new SlidingWindowLimiter(10, 1000);
    for (let i = 0; i < 10; i++) expect(l.take('a', 990)).toBe(0);
    expect(l.take('a', 1010)).toBeGreaterThan(0);
    expect(l.take('a', 2995)).toBe(0);
  });
});
