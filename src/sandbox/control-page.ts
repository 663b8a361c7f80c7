import { escapeHtml } from './authorize-page';
import type { SimComment, SimulatorControl } from './simulator-control';

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f6f6f7;color:#161823}
main{max-width:960px;margin:0 auto;padding:16px 20px}h1{font-size:22px}h2{font-size:18px;margin-top:28px}
section{background:#fff;border-radius:10px;padding:12px 16px;margin:12px 0;box-shadow:0 1px 4px #0001}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eee;vertical-align:top}
form.inline{display:inline}label{display:block;margin:6px 0 2px}input[type=text],textarea,select{width:100%;max-width:480px;box-sizing:border-box;padding:5px}
button{padding:5px 10px;margin:6px 4px 0 0;cursor:pointer}code{background:#f1f1f2;padding:1px 4px;border-radius:4px;word-break:break-all}
.done{background:#e7f7ec;border:1px solid #8c8;padding:8px;border-radius:6px}.error{background:#fdecee;border:1px solid #d88;padding:8px;border-radius:6px}
.muted{color:#666}`;

function esc(text: string): string {
  return escapeHtml(text);
}

function short(text: string, max = 60): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function pageHref(q: { account?: string; video?: string }): string {
  const p = new URLSearchParams();
  if (q.account) p.set('account', q.account);
  if (q.video) p.set('video', q.video);
  const s = p.toString();
  return `/sandbox/${s ? `?${s}` : ''}`;
}

/** A one-button form posting to a sandbox route, back to this page. */
function button(action: string, text: string, label: string, returnTo: string): string {
  return `<form class="inline" method="post" action="${esc(action)}"><input type="hidden" name="return_to" value="${esc(returnTo)}"><button type="submit" aria-label="${esc(label)}">${esc(text)}</button></form>`;
}

function threadOptions(tops: SimComment[], withNew: boolean): string {
  const opts = withNew ? ['<option value="">(a new top-level comment)</option>'] : [];
  for (const c of tops)
    opts.push(
      `<option value="${esc(c.commentId)}">@${esc(c.username)}: ${esc(short(c.text, 50))}</option>`,
    );
  return opts.join('');
}

/**
 * The sandbox control page: the TikTok account owner's side of the simulator (post videos,
 * comment as a fan, answer in the app, hide or delete comments, revoke the app). Plain forms that
 * post to the `/sandbox/api/...` routes; every control has a label.
 */
export function renderControlPage(
  control: SimulatorControl,
  query: Record<string, string>,
): string {
  const accounts = control.listAccounts();
  const account = accounts.find((a) => a.openId === query.account) ?? accounts[0];
  const videos = account ? control.listVideos(account.openId) : [];
  const video = videos.find((v) => v.itemId === query.video);
  const here = pageHref({ account: account?.openId, video: video?.itemId });
  const parts: string[] = [];
  parts.push(
    "<h1>TikTok sandbox: the account owner's side</h1>",
    '<p class="muted">What a TikTok user does in the TikTok app, done to the simulated TikTok. Echo sees it as it would see the real thing: through the API, webhooks and its sync.</p>',
  );
  if (query.done) parts.push(`<p class="done" role="status">${esc(query.done)}</p>`);
  if (query.error) parts.push(`<p class="error" role="alert">${esc(query.error)}</p>`);

  parts.push(
    '<section aria-labelledby="accounts"><h2 id="accounts">Accounts</h2><table><thead><tr><th scope="col">Account</th><th scope="col">open_id</th><th scope="col">App access</th><th scope="col">Actions</th></tr></thead><tbody>',
  );
  for (const a of accounts) {
    const name = `@${a.username ?? a.displayName}`;
    parts.push(
      `<tr><td><a href="${esc(pageHref({ account: a.openId }))}">${esc(name)}</a> ${esc(a.displayName)}</td><td><code>${esc(a.openId)}</code></td><td>${a.grantedScopes ? `granted: ${esc(a.grantedScopes.join(', '))}` : 'not granted'}</td><td>${a.grantedScopes ? button(`/sandbox/api/accounts/${encodeURIComponent(a.openId)}/revoke`, "Revoke the app's access", `Revoke the app's access to ${name}`, here) : ''}</td></tr>`,
    );
  }
  parts.push('</tbody></table></section>');
  if (!account) return page(parts.join(''));

  const handle = `@${account.username ?? account.displayName}`;
  parts.push(
    `<section aria-labelledby="post-video"><h2 id="post-video">Post a video as ${esc(handle)}</h2>
<form method="post" action="/sandbox/api/accounts/${esc(encodeURIComponent(account.openId))}/videos">
<input type="hidden" name="return_to" value="${esc(here)}">
<label for="video-caption">Caption</label><input type="text" id="video-caption" name="caption" maxlength="2200">
<label for="video-listed">Visibility</label><select id="video-listed" name="listed"><option value="true">Listed (in the profile's video list)</option><option value="false">Unlisted (only people with the link; Echo finds it by its URL)</option></select>
<div><button type="submit">Post video</button></div></form></section>`,
  );

  parts.push(
    `<section aria-labelledby="videos"><h2 id="videos">Videos of ${esc(handle)}</h2><table><thead><tr><th scope="col">Caption</th><th scope="col">Visibility</th><th scope="col">Comments</th><th scope="col">URL</th></tr></thead><tbody>`,
  );
  for (const v of videos) {
    const count = control.getComments(account.openId, v.itemId).length;
    parts.push(
      `<tr><td><a href="${esc(pageHref({ account: account.openId, video: v.itemId }))}">${esc(short(v.caption || '(no caption)'))}</a></td><td>${v.listed ? 'listed' : 'unlisted'}</td><td>${count}</td><td><code>${esc(v.shareUrl)}</code></td></tr>`,
    );
  }
  parts.push('</tbody></table></section>');
  if (!video) {
    parts.push(
      '<p class="muted">Choose a video above to see, add, hide or delete its comments.</p>',
    );
    return page(parts.join(''));
  }

  const comments = control.getComments(account.openId, video.itemId);
  const tops = comments.filter((c) => c.parentCommentId === undefined).slice(0, 100);
  const action = `/sandbox/api/videos/${encodeURIComponent(video.itemId)}/comments`;
  parts.push(
    `<section aria-labelledby="fan"><h2 id="fan">Comment as a fan on “${esc(short(video.caption || video.itemId, 40))}”</h2>
<form method="post" action="${esc(action)}"><input type="hidden" name="return_to" value="${esc(here)}"><input type="hidden" name="asAccount" value="false">
<label for="fan-username">Fan username (optional)</label><input type="text" id="fan-username" name="username" pattern="[A-Za-z0-9._]{2,24}">
<label for="fan-parent">In reply to</label><select id="fan-parent" name="parentCommentId">${threadOptions(tops, true)}</select>
<label for="fan-text">Text</label><textarea id="fan-text" name="text" rows="2" required></textarea>
<div><button type="submit">Post as a fan</button></div></form></section>
<section aria-labelledby="owner"><h2 id="owner">Answer as ${esc(handle)} in the TikTok app (not through Echo)</h2>
<form method="post" action="${esc(action)}"><input type="hidden" name="return_to" value="${esc(here)}"><input type="hidden" name="asAccount" value="true">
<label for="owner-parent">In reply to</label><select id="owner-parent" name="parentCommentId">${threadOptions(tops, true)}</select>
<label for="owner-text">Text</label><textarea id="owner-text" name="text" rows="2" required></textarea>
<div><button type="submit">Post as ${esc(handle)}</button></div></form></section>`,
  );

  parts.push(
    `<section aria-labelledby="comments"><h2 id="comments">Comments (newest first)</h2><table><thead><tr><th scope="col">Author</th><th scope="col">Text</th><th scope="col">Status</th><th scope="col">Moderate in the app</th></tr></thead><tbody>`,
  );
  for (const c of comments.slice(0, 200)) {
    const who = `@${c.username}`;
    const what = `${c.parentCommentId ? 'reply' : 'comment'} by ${who}: ${short(c.text, 40)}`;
    const base = `/sandbox/api/comments/${encodeURIComponent(c.commentId)}`;
    parts.push(
      `<tr><td>${esc(who)}${c.owner ? ' (the account)' : ''}</td><td>${c.parentCommentId ? '↳ ' : ''}${esc(c.text)}</td><td>${c.status === 'HIDDEN' ? 'hidden' : 'public'}</td><td>${
        c.status === 'HIDDEN'
          ? button(`${base}/unhide`, 'Unhide', `Unhide the ${what}`, here)
          : button(`${base}/hide`, 'Hide', `Hide the ${what}`, here)
      }${button(`${base}/delete`, 'Delete', `Delete the ${what}`, here)}</td></tr>`,
    );
  }
  parts.push('</tbody></table></section>');
  return page(parts.join(''));
}

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>TikTok sandbox control</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}
