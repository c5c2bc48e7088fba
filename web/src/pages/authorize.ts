// The consent page of the authorization code flow (RFC 6749 §4.1; issue 16 item 1): newer AWS
// CLIs send the browser here through /authorize; the signed-in user allows or denies, and the
// browser goes on to the client's loopback address with the code (or the refusal).

import { api, describeError } from '../api';
import { h, errorRegion, heading, append, button, clear } from '../dom';
import { runBusy } from '../forms';
import { PageContext, focusPage } from '../router';
import { requireSession } from '../session';

interface PendingRequest {
  clientName: string;
  scopes: string[];
  redirectOrigin: string;
  expiresAt: string;
}

// Only loopback addresses are ever redirected to (the server registers nothing else).
function loopback(url: string): boolean {
  return /^http:\/\/(127\.0\.0\.1|\[::1\])(:\d+)?\//.test(url);
}

export async function authorizePage(ctx: PageContext): Promise<void> {
  const session = await requireSession(ctx);
  if (!session || ctx.stale()) return;
  const requestId = ctx.params.get('request') ?? '';
  const error = errorRegion();
  let p: PendingRequest;
  try {
    p = await api<PendingRequest>('POST', '/portal/api/oauth/lookup', { requestId });
  } catch (err) {
    if (ctx.stale()) return;
    append(ctx.main, heading('Sign-in request'), error);
    error.textContent = describeError(err);
    return;
  }
  if (ctx.stale()) return;
  const allow = h('button', { type: 'button', class: 'primary', id: 'authorize-allow' }, 'Allow');
  const deny = button('Deny', { id: 'authorize-deny' });
  const form = h('form', { 'aria-labelledby': 'authorize-title' }, h('div', { class: 'actions' }, allow, deny));
  const title = heading('Allow access?');
  title.id = 'authorize-title';
  append(ctx.main, title,
    h('p', {}, h('strong', {}, p.clientName), ' on this computer (', h('code', {}, p.redirectOrigin),
      ') asks to use your AWS accounts and roles as ', h('strong', {}, session.user?.userName ?? ''), '.'),
    p.scopes.length ? h('p', {}, 'Access: ', p.scopes.join(', ')) : null,
    error, form);
  const decide = (approve: boolean) => runBusy({
    form, error,
    run: async () => {
      const r = await api<{ redirect: string }>('POST', '/portal/api/oauth/decide', { requestId, approve });
      if (!loopback(r.redirect)) throw new Error('The request names an address that is not on this computer.');
      clear(ctx.main);
      append(ctx.main, heading(approve ? 'Request approved' : 'Request denied'),
        h('p', {}, 'Returning to your command line...'));
      focusPage(ctx.main);
      location.assign(r.redirect);
    },
  });
  allow.addEventListener('click', () => void decide(true));
  deny.addEventListener('click', () => void decide(false));
}
