import { seedDemoAccount, startCommentStream } from './demo';
import { startTikTokSimulator } from './tiktok-simulator';

/** Standalone simulator: `npm run sandbox:tiktok` (PORT, default 4010). */
async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 4010);
  const intervalMs = Number(process.env.COMMENT_STREAM_MS ?? 15_000);
  const sim = await startTikTokSimulator({
    port,
    clientKey: process.env.TIKTOK_CLIENT_KEY || undefined,
    clientSecret: process.env.TIKTOK_CLIENT_SECRET || undefined,
  });
  const { account, videos } = seedDemoAccount(sim.control, { videos: 30, comments: 300 });
  const stopStream =
    intervalMs > 0
      ? startCommentStream(sim.control, account.openId, { intervalMs })
      : () => undefined;
  const lines = [
    `TikTok simulator listening on ${sim.origin}`,
    `  API base URL   ${sim.apiBaseUrl}`,
    `  authorize URL  ${sim.authorizeUrl}`,
    `  short links    ${sim.shortLinkBase}{host}/{code}/`,
    `  control page   ${sim.controlUrl} (the account owner's side: videos, comments, revoke)`,
    `  client key     ${sim.clientKey}`,
    `  client secret  ${sim.clientSecret}`,
    `  demo account   @${account.username ?? ''} (${account.openId}), ${videos.length} videos`,
    intervalMs > 0 ? `  a new fan comment every ${intervalMs} ms` : '  comment stream off',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    stopStream();
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `sandbox:tiktok failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
