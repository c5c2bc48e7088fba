// The device verification page (RFC 8628 §3.3; issue 16 item 2): the AWS CLI prints this page's
// URL and a code; the user signs in with the portal's normal sign-in, types the code (or arrives
// with it from verificationUriComplete), sees which client asks and the code again to compare
// with the terminal (§5.4: a phished code is the risk), and allows or denies, once.

import { api, describeError } from '../api';
import { h, field, errorRegion, statusRegion, heading, append, clear, button } from '../dom';
import { onSubmit, runBusy } from '../forms';
import { PageContext, focusPage } from '../router';
import { requireSession } from '../session';

interface PendingDevice {
  userCode: string;
  clientName: string;
  scopes: string[];
  expiresAt: string;
}

export async function devicePage(ctx: PageContext): Promise<void> {
  const session = await requireSession(ctx);
  if (!session || ctx.stale()) return;
  const typed = ctx.params.get('user_code');
  if (typed) {
    // From verificationUriComplete: look the code up at once, the user still confirms it.
    try {
      const p = await api<PendingDevice>('POST', '/portal/api/device/lookup', { userCode: typed });
      if (ctx.stale()) return;
      confirmView(ctx.main, p, session.user?.userName ?? '');
      return;
    } catch (err) {
      if (ctx.stale()) return;
      codeForm(ctx.main, session.user?.userName ?? '', describeError(err));
      return;
    }
  }
  codeForm(ctx.main, session.user?.userName ?? '', '');
}

function codeForm(main: HTMLElement, userName: string, problem: string): void {
  clear(main);
  const code = field('user-code', 'Code', {
    autocomplete: 'off', autocapitalize: 'characters', spellcheck: false, maxlength: 32,
    hint: 'The code your command line shows, like BCDF-GHJK.',
  });
  const error = errorRegion();
  const form = h('form', { 'aria-labelledby': 'device-title' }, code.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Next')));
  const title = heading('Authorize a device');
  title.id = 'device-title';
  append(main, title,
    h('p', {}, 'Enter the code that the AWS CLI or another tool shows, to let it use your accounts as ',
      h('strong', {}, userName), '.'),
    error, form);
  error.textContent = problem;
  onSubmit({
    form, error,
    run: async () => {
      const p = await api<PendingDevice>('POST', '/portal/api/device/lookup', { userCode: code.input.value.trim() });
      history.replaceState(null, '', `/portal/device?user_code=${encodeURIComponent(p.userCode)}`);
      confirmView(main, p, userName);
    },
  });
}

function confirmView(main: HTMLElement, p: PendingDevice, userName: string): void {
  clear(main);
  const error = errorRegion();
  const allow = h('button', { type: 'button', class: 'primary', id: 'device-allow' }, 'Allow');
  const deny = button('Deny', { id: 'device-deny' });
  const form = h('form', { 'aria-labelledby': 'device-title' }, h('div', { class: 'actions' }, allow, deny));
  const title = heading('Allow access?');
  title.id = 'device-title';
  append(main, title,
    h('p', {}, h('strong', {}, p.clientName), ' asks to use your AWS accounts and roles as ',
      h('strong', {}, userName), '.'),
    h('p', {}, 'Code: ', h('code', { class: 'secret', id: 'device-code' }, p.userCode)),
    h('p', { class: 'hint' }, 'Allow only if this is the code your own command line shows. ' +
      'If someone sent you this link or code, choose Deny.'),
    p.scopes.length ? h('p', {}, 'Access: ', p.scopes.join(', ')) : null,
    error, form);
  const decide = (approve: boolean) => runBusy({
    form, error,
    run: async () => {
      await api('POST', '/portal/api/device/decide', { userCode: p.userCode, approve });
      doneView(main, approve);
    },
  });
  allow.addEventListener('click', () => void decide(true));
  deny.addEventListener('click', () => void decide(false));
  focusPage(main);
}

function doneView(main: HTMLElement, approved: boolean): void {
  clear(main);
  const status = statusRegion();
  append(main, heading(approved ? 'Request approved' : 'Request denied'), status);
  status.textContent = approved
    ? 'You can close this window and return to your command line.'
    : 'The command line was not given access. You can close this window.';
  focusPage(main);
}
