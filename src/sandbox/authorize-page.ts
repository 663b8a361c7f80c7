/** Escapes text for HTML element and attribute content. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const SCOPE_LABELS: Record<string, string> = {
  'user.info.basic': 'Read your profile info (avatar, display name)',
  'user.info.username': 'Read your username',
  'video.list': 'Read your public videos',
  'comment.list': 'Read comments on your videos',
  'comment.list.manage': 'Reply to, hide and delete comments on your videos',
};

const STYLE = `body{font-family:system-ui,sans-serif;background:#f1f1f2;margin:0;display:flex;justify-content:center}
main{background:#fff;max-width:420px;margin:40px 16px;padding:24px 28px;border-radius:12px;box-shadow:0 2px 12px #0002}
h1{font-size:20px}ul{padding-left:20px}li{margin:6px 0}code{background:#f4f4f4;padding:1px 4px;border-radius:4px}
.who{display:flex;align-items:center;gap:10px;margin:12px 0}.who img{width:40px;height:40px;border-radius:50%;background:#ddd}
.buttons{display:flex;gap:12px;margin-top:20px}button{flex:1;padding:10px;border-radius:6px;border:1px solid #ccc;font-size:15px;cursor:pointer}
button.allow{background:#fe2c55;color:#fff;border-color:#fe2c55}.err{color:#b00020}.note{color:#666;font-size:12px}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** The consent page the authorize endpoint shows in manual mode. */
export function renderConsentPage(input: {
  clientKey: string;
  scopes: string[];
  redirectUri: string;
  state: string;
  accounts: {
    openId: string;
    username: string | null;
    displayName: string;
    profileImage: string;
  }[];
  selectedOpenId?: string;
}): string {
  const account =
    input.accounts.find((a) => a.openId === input.selectedOpenId) ?? input.accounts[0];
  const hidden = (name: string, value: string): string =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const scopes = input.scopes
    .map(
      (s) =>
        `<li data-scope="${escapeHtml(s)}"><code>${escapeHtml(s)}</code> ${escapeHtml(SCOPE_LABELS[s] ?? '')}</li>`,
    )
    .join('');
  const who =
    input.accounts.length > 1
      ? `<label>Logged in as <select name="open_id">${input.accounts
          .map(
            (a) =>
              `<option value="${escapeHtml(a.openId)}"${a === account ? ' selected' : ''}>@${escapeHtml(a.username ?? a.displayName)}</option>`,
          )
          .join('')}</select></label>`
      : `<div class="who"><img src="${escapeHtml(account.profileImage)}" alt=""><div>Logged in as <b class="username">@${escapeHtml(account.username ?? account.displayName)}</b><br>${escapeHtml(account.displayName)}</div></div>${hidden('open_id', account.openId)}`;
  return page(
    'Authorize app - TikTok (sandbox)',
    `<h1>TikTok sandbox: authorize app</h1>
<p>The app <code class="client-key">${escapeHtml(input.clientKey)}</code> would like to:</p>
<ul class="scopes">${scopes}</ul>
<form method="post" action="/v2/auth/authorize/decide/">
${who}
${hidden('client_key', input.clientKey)}${hidden('scope', input.scopes.join(','))}${hidden('redirect_uri', input.redirectUri)}${hidden('state', input.state)}
<div class="buttons"><button type="submit" name="decision" value="deny" class="deny">Deny</button><button type="submit" name="decision" value="allow" class="allow">Allow</button></div>
</form>
<p class="note">You will be redirected to <code>${escapeHtml(input.redirectUri)}</code></p>`,
  );
}

/** A small HTML error page. */
export function renderErrorPage(message: string): string {
  return page(
    'Authorization error - TikTok (sandbox)',
    `<h1>Something went wrong</h1><p class="err">${escapeHtml(message)}</p>`,
  );
}
