/** What a browser does on the simulator's consent page: submit its form with Allow; returns where TikTok sends it back. */
export async function clickAllow(authorizeUrl: string): Promise<URL> {
  const page = await fetch(authorizeUrl);
  const html = await page.text();
  if (!html.includes('Allow')) throw new Error(`no consent page at ${authorizeUrl}: ${html.slice(0, 200)}`);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(m[1]!, m[2]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  }
  form.set('decision', 'allow');
  const res = await fetch(new URL('/v2/auth/authorize/decide/', authorizeUrl), { method: 'POST', body: form, redirect: 'manual' });
  return new URL(res.headers.get('location')!);
}

/** The first JSON log line of a service's output with this `msg`. */
export function logLine(output: string[], msg: string): Record<string, unknown> | undefined {
  for (const line of output.join('').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      if (typeof j.msg === 'string' && j.msg.startsWith(msg)) return j;
    } catch {
      /* not a log line */
    }
  }
  return undefined;
}
