/**
 * How many TikTok calls one sync run of one account may plan (DESIGN.md section 2). The client
 * enforces the budgets in PostgreSQL whatever we plan; planning inside them keeps the run from
 * waiting on the budget and leaves room for other accounts, webhooks and replies.
 *
 * - TikTok allows 40 calls a minute per account and endpoint, and 600 a minute for the whole app.
 * - 10% of the app budget is kept for work outside the saga (webhook lookups, add by URL,
 *   replies and moderation); the rest is shared evenly by the active accounts.
 * - A quarter of each account's own budget is kept too: its webhook lookups (`comment/list` by
 *   ids) must find a free slot at once, or a delivery would wait behind the account's polls.
 * - A quarter of an account's share always goes to full reconciliation of its least recently
 *   reconciled videos, so no video starves behind active ones.
 * - Of the rest, sweeps of recent videos (their whole top-level list, for replies under older
 *   comments) may take up to half before the quick polls; whatever either leaves, the other uses.
 */

export const ACCOUNT_ENDPOINT_PER_MINUTE = 40;
export const APP_PER_MINUTE = 600;
export const SAGA_SHARE_OF_APP = 0.9;
export const SAGA_SHARE_OF_ACCOUNT = 0.75;
export const RECONCILE_SHARE = 0.25;
export const SWEEP_SHARE_OF_POLLS = 0.5;

export interface RunPlan {
  /** calls one account may make per minute (all endpoints) */
  perMinute: number;
  /** calls of this run for quick polls and sweeps (comment/list newest first, reply/list where counts changed) */
  pollCalls: number;
  /** of `pollCalls`, how many sweeps may take before the quick polls */
  sweepCalls: number;
  /** calls of this run for full reconciliation */
  reconcileCalls: number;
  /** video/list pages a live run may read looking for new videos */
  videoPages: number;
}

/** What a run is planned inside: TikTok's limits, or (budget off: benchmarks only) none worth counting. */
export interface PlanLimits {
  accountEndpointPerMinute: number;
  appPerMinute: number;
}

export const TIKTOK_LIMITS: PlanLimits = { accountEndpointPerMinute: ACCOUNT_ENDPOINT_PER_MINUTE, appPerMinute: APP_PER_MINUTE };
/** `TIKTOK_RATE_BUDGET=off`: runs are bounded by their time limit only. */
export const NO_LIMITS: PlanLimits = { accountEndpointPerMinute: 1_000_000, appPerMinute: 1_000_000 };

/** The call plan of one run, `intervalSeconds` apart, with `activeAccounts` sharing the app budget. */
export function planRun(p: { intervalSeconds: number; activeAccounts: number; limits?: PlanLimits }): RunPlan {
  const limits = p.limits ?? TIKTOK_LIMITS;
  const accounts = Math.max(1, p.activeAccounts);
  const perMinute = Math.max(
    1,
    Math.min(Math.floor(limits.accountEndpointPerMinute * SAGA_SHARE_OF_ACCOUNT), Math.floor((limits.appPerMinute * SAGA_SHARE_OF_APP) / accounts)),
  );
  const perRun = Math.max(2, Math.floor((perMinute * Math.max(1, p.intervalSeconds)) / 60));
  const reconcileCalls = Math.max(1, Math.floor(perRun * RECONCILE_SHARE));
  const pollCalls = perRun - reconcileCalls;
  return { perMinute, pollCalls, sweepCalls: Math.floor(pollCalls * SWEEP_SHARE_OF_POLLS), reconcileCalls, videoPages: Math.max(1, Math.min(5, Math.floor(perRun / 4))) };
}
