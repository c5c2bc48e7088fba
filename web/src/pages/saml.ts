// /portal/saml/continue?request=<handle>: where a service provider's sign-in request lands after
// Atrium's SSO endpoint accepted it. Without a session the user signs in first (password, MFA)
// and comes back here; with one, the page asks for the Response and posts it to the application.
// A user who is not assigned gets a page that says so, and nothing is sent to the application.

import { api, ApiError, describeError, SessionInfo, setCsrfToken } from '../api';
import { h, heading, append, clear } from '../dom';
import { navigate, PageContext } from '../router';
import { saveReturn, submitSamlPost, LaunchAnswer } from '../saml';
import { showNav, signOut } from '../session';

export async function samlContinuePage(ctx: PageContext): Promise<void> {
  const handle = ctx.params.get('request') ?? '';
  if (!/^[0-9a-f]{16,128}$/.test(handle)) {
    refusal(ctx.main, 'Sign-in request not found',
      'This link does not carry a sign-in request. Start again from the application.');
    return;
  }
  const here = `/portal/saml/continue?request=${handle}`;
  let session: SessionInfo;
  try {
    session = await api<SessionInfo>('GET', '/portal/api/session');
  } catch (err) {
    refusal(ctx.main, 'Something went wrong', describeError(err));
    return;
  }
  if (ctx.stale()) return;
  if (!session.signedIn) {
    saveReturn(here);
    await navigate('/portal/signin', true);
    return;
  }
  setCsrfToken(session.csrfToken ?? null);
  showNav(session);
  append(ctx.main, heading('Signing you in'), h('p', { role: 'status' }, 'One moment...'));
  try {
    const answer = await api<LaunchAnswer>('POST', '/portal/api/saml/continue', { request: handle });
    if (ctx.stale() || !answer.post) return;
    submitSamlPost(ctx.main, answer.post, answer.applicationName ?? 'the application');
  } catch (err) {
    if (err instanceof ApiError && err.code === 'Reauthenticate') {
      // ForceAuthn: the application wants a fresh sign-in.
      await signOut();
      saveReturn(here);
      await navigate('/portal/signin', true);
      return;
    }
    showRefusal(ctx.main, err);
  }
}

export function showRefusal(main: HTMLElement, err: unknown): void {
  if (err instanceof ApiError && err.code === 'NotAssigned') {
    refusal(main, 'You do not have access to this application', err.message);
    return;
  }
  if (err instanceof ApiError && (err.code === 'RequestExpired' || err.code === 'RequestAnswered')) {
    refusal(main, 'This sign-in request cannot be used', err.message);
    return;
  }
  refusal(main, 'Sign-in to the application failed', describeError(err));
}

function refusal(main: HTMLElement, title: string, message: string): void {
  clear(main);
  append(main, heading(title), h('p', { class: 'error', role: 'alert' }, message),
    h('p', {}, h('a', { href: '/portal/' }, 'Go to your accounts and applications')));
}
