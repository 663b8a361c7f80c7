import { startService } from './service';

startService(process.env).catch((err: unknown) => {
  // One line naming the problem (a ConfigError names the variable), then a non-zero exit.
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`echo-tiktok: start-up failed: ${msg}\n`);
  process.exit(1);
});
