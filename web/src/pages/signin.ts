// Sign-in: user name, then password (the guide's "How to sign in to the user portal"). The user
// name may be plain, DOMAIN\user or a UPN (user@domain); the server resolves it and answers the
// same whether or not the user exists.

import { api, NextStep, SessionInfo, setCsrfToken } from '../api';
import { h, field, errorRegion, statusRegion, heading, append } from '../dom';
import { onSubmit } from '../forms';
import { navigate, PageContext } from '../router';
import { followNext, requireFlow, saveFlow, showNav, clearFlow, takeReturnTo } from '../session';

export async function signinPage(ctx: PageContext): Promise<void> {
  const session = await api<SessionInfo>('GET', '/portal/api/session').catch(() => null);
  if (ctx.stale()) return;
  if (session?.signedIn) {
    setCsrfToken(session.csrfToken ?? null);
    await navigate(takeReturnTo() ?? '/portal/', true);
    return;
  }
  showNav(null);
  const user = field('username', 'User name', {
    autocomplete: 'username', autocapitalize: 'none', spellcheck: false,
    hint: 'Your user name, DOMAIN\\user name or user@domain.',
  });
  const error = errorRegion();
  const status = statusRegion();
  if (ctx.params.get('signedOut')) status.textContent = 'You have signed out.';
  const form = h('form', { 'aria-labelledby': 'signin-title' },
    user.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Next')));
  const title = heading('Sign in');
  title.id = 'signin-title';
  append(ctx.main, title, status, error, form,
    h('p', {}, h('a', { href: '/portal/forgot-password' }, 'Forgot password?')));
  const previous = new URLSearchParams(location.search).get('user');
  if (previous) user.input.value = previous;
  onSubmit({
    form, error,
    run: async () => {
      const userName = user.input.value.trim();
      clearFlow();
      const r = await api<{ workflowId: string; next: NextStep['next'] | 'redirect'; redirect?: string }>(
        'POST', '/portal/api/signin/start', { userName });
      // The identity source is an external IdP (home realm discovery picked it): the sign-in is
      // its business; /portal/sp/login sends the browser there (a full navigation, not the router).
      if (r.next === 'redirect' && r.redirect?.startsWith('/portal/sp/login')) {
        location.assign(r.redirect);
        return;
      }
      saveFlow({ workflowId: r.workflowId, userName });
      await followNext({ next: (r.next as NextStep['next']) ?? 'password' });
    },
  });
}

export async function passwordPage(ctx: PageContext): Promise<void> {
  const flow = await requireFlow();
  if (!flow || ctx.stale()) return;
  showNav(null);
  const password = field('password', 'Password', { type: 'password', autocomplete: 'current-password' });
  const error = errorRegion();
  const form = h('form', {},
    // For password managers, which pair a password with the user name of its form; not shown
    // and not in the accessibility tree (the name is in the text above).
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: flow.userName,
                 hidden: true, 'aria-hidden': 'true', tabindex: -1, readonly: true }),
    password.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  append(ctx.main, heading('Sign in'),
    h('p', { class: 'who' }, 'Signing in as ', h('strong', {}, flow.userName), ' ',
      h('a', { href: `/portal/signin?user=${encodeURIComponent(flow.userName)}` }, 'Not you?')),
    error, form,
    h('p', {}, h('a', { href: '/portal/forgot-password' }, 'Forgot password?')));
  onSubmit({
    form, error,
    run: async () => {
      const step = await api<NextStep>('POST', '/portal/api/signin/password',
                                       { workflowId: flow.workflowId, password: password.input.value });
      password.input.value = '';
      await followNext(step);
    },
  });
}
