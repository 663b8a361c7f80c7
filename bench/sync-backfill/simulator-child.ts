/** The simulator in a child process (see simulator-host.ts); answers the parent over IPC. */
import { startTikTokSimulator } from '../../src/sandbox/tiktok-simulator';
import { seedBackfillAccount, type SeedOptions } from './seed';
import { summarizeCalls } from './simulator-host';

interface Request {
  id: number;
  op: 'seed' | 'approve' | 'calls' | 'cpuUsage' | 'resetCalls' | 'close';
  args?: unknown;
}

async function main(): Promise<void> {
  const sim = await startTikTokSimulator({ rateLimit: { enabled: false } });
  const c = sim.control;
  const send = (m: unknown) => process.send!(m);
  process.on('message', (m: Request) => {
    void (async () => {
      try {
        let result: unknown;
        if (m.op === 'seed') result = seedBackfillAccount(c, m.args as SeedOptions);
        else if (m.op === 'approve') c.setAuthorizeDecision({ mode: 'approve', openId: m.args as string });
        else if (m.op === 'calls') result = summarizeCalls(c.calls(), c.deepPaging?.from ?? 500);
        else if (m.op === 'cpuUsage') result = process.cpuUsage();
        else if (m.op === 'resetCalls') c.resetCalls();
        else if (m.op === 'close') {
          await sim.close();
          send({ id: m.id, result: null });
          process.disconnect();
          return;
        }
        send({ id: m.id, result });
      } catch (err) {
        send({ id: m.id, error: String((err as Error)?.stack ?? err) });
      }
    })();
  });
  process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
  send({ ready: { apiBaseUrl: sim.apiBaseUrl, authorizeUrl: sim.authorizeUrl, clientKey: sim.clientKey, clientSecret: sim.clientSecret, deepPaging: c.deepPaging } });
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
