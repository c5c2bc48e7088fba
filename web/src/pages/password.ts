// Password pages: a new password after an administrator's one-time password (a sign-in step),
// forgot password, set password from an invitation or reset link, and change password.

import { api, NextStep } from '../api';
import { h, field, errorRegion, statusRegion, heading, append } from '../dom';
import { confirmMatches, onSubmit, PASSWORD_HINT } from '../forms';
import { PageContext } from '../router';
import { followNext, requireFlow, requireSession, showNav } from '../session';

function newPasswordFields() {
  const password = field('new-password', 'New password',
                         { type: 'password', autocomplete: 'new-password', hint: PASSWORD_HINT, maxlength: 64 });
  const confirm = field('confirm-password', 'Confirm new password',
                        { type: 'password', autocomplete: 'new-password', maxlength: 64 });
  confirmMatches(password.input, confirm.input);
  return { password, confirm };
}

export async function newPasswordPage(ctx: PageContext): Promise<void> {
  const flow = await requireFlow();
  if (!flow || ctx.stale()) return;
  showNav(null);
  const { password, confirm } = newPasswordFields();
  const error = errorRegion();
  const form = h('form', {}, password.wrapper, confirm.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set password')));
  append(ctx.main, heading('Choose a new password'),
    h('p', {}, 'You signed in with a one-time password. Choose your own password to continue.'),
    error, form);
  onSubmit({
    form, error,
    focusOnError: () => password.input,
    run: async () => {
      const step = await api<NextStep>('POST', '/portal/api/signin/new-password',
                                       { workflowId: flow.workflowId, newPassword: password.input.value });
      await followNext(step);
    },
  });
}

export function forgotPasswordPage(ctx: PageContext): void {
  showNav(null);
  const user = field('username', 'User name', { autocomplete: 'username', autocapitalize: 'none', spellcheck: false });
  const error = errorRegion();
  const status = statusRegion();
  const form = h('form', {}, user.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Send reset e-mail')));
  append(ctx.main, heading('Forgot password'),
    h('p', {}, 'Enter your user name. If it belongs to an account with an e-mail address, we send a link ' +
               'to reset the password to that address.'),
    error, status, form,
    h('p', {}, h('a', { href: '/portal/signin' }, 'Back to sign in')));
  onSubmit({
    form, error,
    run: async () => {
      status.textContent = '';
      await api('POST', '/portal/api/password/forgot', { userName: user.input.value.trim() });
      // The same answer whether or not the user exists (no enumeration).
      status.textContent = 'If that user name exists, an e-mail with a link to reset the password is on its way. ' +
                           'The link can be used once.';
    },
  });
}

export function setPasswordPage(ctx: PageContext): void {
  showNav(null);
  const token = ctx.params.get('token') ?? '';
  const error = errorRegion();
  const status = statusRegion();
  append(ctx.main, heading('Set your password'), error, status);
  if (!token) {
    error.textContent = 'This link is incomplete. Open the link from your e-mail again, or ask for a new one.';
    append(ctx.main, h('p', {}, h('a', { href: '/portal/forgot-password' }, 'Forgot password?')));
    return;
  }
  const { password, confirm } = newPasswordFields();
  const form = h('form', {}, password.wrapper, confirm.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set password')));
  append(ctx.main, form);
  onSubmit({
    form, error,
    focusOnError: () => password.input,
    run: async () => {
      await api('POST', '/portal/api/password/reset', { token, newPassword: password.input.value });
      // The token is spent: take it out of the address bar and the history entry.
      history.replaceState(null, '', '/portal/set-password');
      form.remove();
      status.textContent = 'Your password is set.';
      const link = h('a', { href: '/portal/signin', id: 'continue-signin' }, 'Sign in with your new password');
      append(ctx.main, h('p', {}, link));
      link.focus();
    },
  });
}

export async function changePasswordPage(ctx: PageContext): Promise<void> {
  const session = await requireSession(ctx);
  if (!session || ctx.stale()) return;
  const current = field('current-password', 'Current password', { type: 'password', autocomplete: 'current-password' });
  const { password, confirm } = newPasswordFields();
  const error = errorRegion();
  const status = statusRegion();
  const form = h('form', {}, current.wrapper, password.wrapper, confirm.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Change password')));
  append(ctx.main, heading('Change password'), error, status, form);
  onSubmit({
    form, error,
    focusOnError: () => current.input,
    run: async () => {
      status.textContent = '';
      await api('POST', '/portal/api/password/change',
                { currentPassword: current.input.value, newPassword: password.input.value });
      form.reset();
      status.textContent = 'Your password has been changed.';
    },
  });
}
