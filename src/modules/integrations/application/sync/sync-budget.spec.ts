import { planRun } from './sync-budget';

describe('planRun', () => {
  it('gives one account three quarters of its per-endpoint budget (the rest for its webhook lookups), a quarter of that for reconciliation', () => {
    const p = planRun({ intervalSeconds: 60, activeAccounts: 1 });
    expect(p.perMinute).toBe(30);
    expect(p.pollCalls + p.reconcileCalls).toBe(30);
    expect(p.reconcileCalls).toBe(7);
  });
  it('shares the app budget among 50 accounts, never above it', () => {
    const p = planRun({ intervalSeconds: 60, activeAccounts: 50 });
    expect(p.perMinute).toBe(10);
    expect(p.perMinute * 50).toBeLessThanOrEqual(600);
    expect(p.reconcileCalls).toBeGreaterThanOrEqual(1);
  });
  it('lets sweeps take up to half of the poll calls first, never more than there are', () => {
    const one = planRun({ intervalSeconds: 30, activeAccounts: 1 });
    expect([one.pollCalls, one.sweepCalls, one.reconcileCalls]).toEqual([12, 6, 3]);
    const many = planRun({ intervalSeconds: 30, activeAccounts: 50 });
    expect(many.sweepCalls).toBeLessThanOrEqual(many.pollCalls);
    expect([many.pollCalls, many.sweepCalls, many.reconcileCalls]).toEqual([4, 2, 1]);
  });
  it('scales with the interval', () => {
    expect(planRun({ intervalSeconds: 30, activeAccounts: 1 }).pollCalls + planRun({ intervalSeconds: 30, activeAccounts: 1 }).reconcileCalls).toBe(15);
  });
});
