// /portal/saml/continue?request=<handle>: where an application's sign-in request lands after
// Atrium's SSO endpoint accepted it. Without a session the user signs in first (password, MFA)
// and comes back here; with one, the page posts the request to the portal, which answers with
// the page that hands the application its Response, or with a page that says why not (a user
// who is not assigned gets "You do not have access to this application", and the application
// gets nothing).

import { api, describeError, SessionInfo, setCsrfToken } from '../api';
import { h, heading, append, clear } from '../dom';
import { navigate, PageContext } from '../router';
import { postToPortal } from '../saml';
import { saveReturn, showNav } from '../session';

export async function samlContinuePage(ctx: PageContext): Promise<void> {
  const handle = ctx.params.get('request') ?? '';
  if (!/^[0-9a-f]{16,128}$/.test(handle)) {
    refusal(ctx.main, 'Sign-in request not found',
      'This link does not carry a sign-in request. Start again from the application.');
    return;
  }
  let session: SessionInfo;
  try {
    session = await api<SessionInfo>('GET', '/portal/api/session');
  } catch (err) {
    refusal(ctx.main, 'Something went wrong', describeError(err));
    return;
  }
  if (ctx.stale()) return;
  if (!session.signedIn) {
    saveReturn(`/portal/saml/continue?request=${handle}`);
    await navigate('/portal/signin', true);
    return;
  }
  setCsrfToken(session.csrfToken ?? null);
  showNav(session);
  append(ctx.main, heading('Signing you in'), h('p', { role: 'status' }, 'One moment...'));
  postToPortal('/portal/saml/continue', { request: handle });
}

function refusal(main: HTMLElement, title: string, message: string): void {
  clear(main);
  append(main, heading(title), h('p', { class: 'error', role: 'alert' }, message),
    h('p', {}, h('a', { href: '/portal/' }, 'Go to your accounts and applications')));
}
