// Settings (the guide's "Settings" page): the identity source (view), MFA (the guide's
// "Configure MFA": when to prompt, which types, what a user without a device does), and automatic
// provisioning: enable it, the SCIM endpoint, access tokens with their expiry, a new token shown
// once with a copy button, and token deletion with confirmation.

import { append, button, errorRegion, h, statusRegion } from '../dom';
import { PageContext } from '../router';
import { call } from './capi';
import { abacSection, deleteSection } from './settings_abac';
import { act, consoleFrame, table } from './shell';

interface Token { TokenId: string; CreatedAt?: number; ExpiresAt?: number; LastUsedAt?: number; ExpiresSoon?: boolean }
interface Provisioning { Enabled: boolean; ScimEndpoint?: string; AccessTokens?: Token[] }
interface Issued extends Token { AccessToken: string; ScimEndpoint: string }

const day = (s?: number) => (s ? new Date(s * 1000).toISOString().slice(0, 10) : 'never');

export async function settingsPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Settings');
  if (!me) return;
  const error = errorRegion();
  const status = statusRegion();
  const source = h('section', { 'aria-labelledby': 'source-heading' }, h('h2', { id: 'source-heading' }, 'Identity source'));
  const scim = h('section', { 'aria-labelledby': 'scim-heading' });
  const mfa = h('section', { 'aria-labelledby': 'mfa-heading' });
  const abac = h('section', { 'aria-labelledby': 'abac-heading' });
  const session = h('section', { 'aria-labelledby': 'session-heading' });
  append(ctx.main, error, status, source, session, mfa, scim, abac);
  if (me.may('sso:GetPortalSessionSettings'))
    await sessionSection(session, me.may('sso:UpdatePortalSessionSettings'), error, status);
  if (me.may('sso:DescribeInstanceAccessControlAttributeConfiguration')) await abacSection(me, abac, error, status);
  append(ctx.main, deleteSection(me, me.storeId));
  if (me.may('sso:GetMfaDeviceManagementForDirectory'))
    await mfaSection(mfa, me.may('sso:PutMfaDeviceManagementForDirectory'), error, status);

  if (me.may('sso-directory:DescribeIdentitySource')) {
    await act(null, error, async () => {
      const s = await call<{ IdentitySource: string; ExternalIdPs?: { EntityId: string; Status?: string }[] }>(
        'AtriumAdmin.DescribeIdentitySource');
      append(source, h('p', {}, s.IdentitySource === 'EXTERNAL_IDP'
        ? 'External identity provider: users sign in at the IdP (docs/identity-source-admin.md).'
        : 'Identity Center directory: users and passwords are kept by Atrium.'));
      if (s.ExternalIdPs?.length)
        append(source, table('External IdPs', ['Entity ID', 'Status'], s.ExternalIdPs.map((i) => [i.EntityId, i.Status ?? ''])));
    });
  }

  const shown = h('div', {});
  async function loadScim(): Promise<void> {
    await act(null, error, async () => {
      const p = await call<Provisioning>('AtriumAdmin.DescribeAutomaticProvisioning');
      scim.replaceChildren(h('h2', { id: 'scim-heading' }, 'Automatic provisioning'), shown);
      if (!p.Enabled) {
        append(scim, h('p', {}, 'Automatic provisioning (SCIM) is disabled.'));
        if (me!.may('sso-directory:EnableAutomaticProvisioning')) {
          const enable = button('Enable automatic provisioning', { class: 'primary' });
          enable.addEventListener('click', () => void act(enable, error, async () => {
            showToken(await call<Issued>('AtriumAdmin.EnableAutomaticProvisioning'));
            await loadScim();
          }));
          append(scim, enable);
        }
        return;
      }
      append(scim, h('p', {}, 'SCIM endpoint: ', h('code', { id: 'scim-endpoint' }, p.ScimEndpoint ?? '')));
      const rows = (p.AccessTokens ?? []).map((t) => {
        const cells: (Node | string)[] = [t.TokenId, day(t.CreatedAt), day(t.ExpiresAt) + (t.ExpiresSoon ? ' (soon)' : ''), day(t.LastUsedAt)];
        if (me!.may('sso-directory:DeleteScimAccessToken')) {
          const del = button('Delete', { class: 'danger', 'aria-label': `Delete token ${t.TokenId}` });
          del.addEventListener('click', () => {
            if (!confirm('Delete this token? A client that uses it can no longer provision.')) return;
            void act(del, error, async () => {
              await call('AtriumAdmin.DeleteScimAccessToken', { TokenId: t.TokenId });
              status.textContent = 'The token was deleted.';
              await loadScim();
            });
          });
          cells.push(del);
        }
        return cells;
      });
      const headers = ['Token ID', 'Created', 'Expires', 'Last used'];
      if (me!.may('sso-directory:DeleteScimAccessToken')) headers.push('Actions');
      append(scim, table('Access tokens', headers, rows));
      if (me!.may('sso-directory:CreateScimAccessToken')) {
        const create = button('Generate token');
        create.addEventListener('click', () => void act(create, error, async () => {
          showToken(await call<Issued>('AtriumAdmin.CreateScimAccessToken'));
          await loadScim();
        }));
        append(scim, create);
      }
    });
  }

  // The token's secret is shown once (the guide: "copy the access token now").
  function showToken(t: Issued): void {
    const secret = h('code', { id: 'scim-token', class: 'secret' }, t.AccessToken);
    const copy = button('Copy token');
    copy.addEventListener('click', () => {
      void navigator.clipboard?.writeText(t.AccessToken).then(() => { status.textContent = 'Token copied.'; },
        () => { status.textContent = 'Select the token and copy it.'; });
    });
    shown.replaceChildren(h('div', { class: 'notice', role: 'region', 'aria-label': 'New access token' },
      h('p', {}, 'Copy this access token now: it is not shown again.'), secret, ' ', copy));
    copy.focus();
  }
  if (me.may('sso-directory:DescribeAutomaticProvisioning')) await loadScim();
}

interface Mfa { Mode: string; Types: string[]; WithoutDevice: string; UsersManageDevices: boolean }

function radios(name: string, legend: string, options: [string, string][], value: string, enabled: boolean): HTMLFieldSetElement {
  return h('fieldset', {}, h('legend', {}, legend), ...options.map(([v, label]) => {
    const id = `${name}-${v}`;
    return h('div', { class: 'field radio' },
      h('input', { type: 'radio', id, name, value: v, checked: v === value, disabled: !enabled }),
      h('label', { for: id }, label));
  }));
}

function checkbox(id: string, label: string, checked: boolean, enabled: boolean): HTMLElement {
  return h('div', { class: 'field checkbox' },
    h('input', { type: 'checkbox', id, name: id, checked, disabled: !enabled }), h('label', { for: id }, label));
}

async function mfaSection(section: HTMLElement, canChange: boolean, error: HTMLElement, status: HTMLElement): Promise<void> {
  await act(null, error, async () => {
    const m = await call<Mfa>('AtriumAdmin.GetMfaDeviceManagementForDirectory');
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save MFA settings');
    const form = h('form', { onsubmit: (e: Event) => {
      e.preventDefault();
      const picked = (name: string) => (form.querySelector(`input[name="${name}"]:checked`) as HTMLInputElement | null)?.value;
      const on = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).checked;
      const types = [on('mfa-totp') ? 'totp' : '', on('mfa-webauthn') ? 'webauthn' : ''].filter(Boolean);
      void act(save, error, async () => {
        await call('AtriumAdmin.PutMfaDeviceManagementForDirectory', {
          Mode: picked('mfa-mode'), WithoutDevice: picked('mfa-without'), Types: types,
          UsersManageDevices: on('mfa-users-manage'),
        });
        status.textContent = 'MFA settings saved.';
      });
    } },
    radios('mfa-mode', 'Prompt users for MFA', [['context-aware', 'Only when their sign-in context changes (context-aware)'],
      ['always-on', 'Every time they sign in (always-on)'], ['disabled', 'Never (disabled)']], m.Mode, canChange),
    h('fieldset', {}, h('legend', {}, 'Users can authenticate with these MFA types'),
      checkbox('mfa-webauthn', 'Security keys and built-in authenticators', m.Types.includes('webauthn'), canChange),
      checkbox('mfa-totp', 'Authenticator apps', m.Types.includes('totp'), canChange)),
    radios('mfa-without', 'If a user does not yet have a registered MFA device', [
      ['require-registration', 'Require them to register an MFA device at sign in'],
      ['email-code', 'Require them to provide a one-time password sent by email to sign in'],
      ['block', 'Block their sign-in'], ['allow', 'Allow them to sign in']], m.WithoutDevice, canChange),
    checkbox('mfa-users-manage', 'Users can add and manage their own MFA devices', m.UsersManageDevices, canChange),
    canChange ? h('div', { class: 'actions' }, save) : null);
    section.replaceChildren(h('h2', { id: 'mfa-heading' }, 'Multi-factor authentication'), form);
  });
}

// The guide's Settings > Authentication > "Configure session": how long a portal sign-in lasts,
// 15 minutes to 90 days (AtriumAdmin.Get/UpdatePortalSessionSettings). New sign-ins use it;
// sessions already made keep theirs.
const DURATIONS: [number, string][] = [
  [15, '15 minutes'], [30, '30 minutes'], [60, '1 hour'], [120, '2 hours'], [240, '4 hours'], [480, '8 hours'],
  [720, '12 hours'], [1440, '1 day'], [10080, '7 days'], [43200, '30 days'], [129600, '90 days'],
];

function minutesText(n: number): string {
  const named = DURATIONS.find(([m]) => m === n);
  if (named) return named[1];
  return n % 1440 === 0 ? `${n / 1440} days` : n % 60 === 0 ? `${n / 60} hours` : `${n} minutes`;
}

async function sessionSection(section: HTMLElement, canEdit: boolean, error: HTMLElement, status: HTMLElement): Promise<void> {
  await act(null, error, async () => {
    const cur = await call<{ SessionDurationMinutes: number; Default: boolean }>('AtriumAdmin.GetPortalSessionSettings');
    const shown = h('p', {}, `Session duration: ${minutesText(cur.SessionDurationMinutes)}${cur.Default ? ' (the default)' : ''}.`);
    section.replaceChildren(h('h2', { id: 'session-heading' }, 'Authentication: session duration'), shown);
    if (!canEdit) return;
    const select = h('select', { id: 'session-duration', name: 'session-duration' },
      ...DURATIONS.map(([m, text]) => h('option', { value: String(m), selected: m === cur.SessionDurationMinutes }, text)));
    if (!DURATIONS.some(([m]) => m === cur.SessionDurationMinutes))
      select.append(h('option', { value: String(cur.SessionDurationMinutes), selected: true }, minutesText(cur.SessionDurationMinutes)));
    const save = h('button', { type: 'submit' }, 'Save session duration');
    const form = h('form', { class: 'inline', onsubmit: (e: Event) => {
      e.preventDefault();
      void act(save, error, async () => {
        const next = await call<{ SessionDurationMinutes: number }>('AtriumAdmin.UpdatePortalSessionSettings',
          { SessionDurationMinutes: Number(select.value) });
        shown.textContent = `Session duration: ${minutesText(next.SessionDurationMinutes)}.`;
        status.textContent = `Session duration saved: ${minutesText(next.SessionDurationMinutes)}. New sign-ins use it.`;
      });
    } }, h('div', { class: 'field' }, h('label', { for: 'session-duration' }, 'Session duration'),
      h('p', { id: 'session-duration-hint', class: 'hint' }, 'How long a sign-in to the AWS access portal lasts: 15 minutes to 90 days.'),
      select), save);
    select.setAttribute('aria-describedby', 'session-duration-hint');
    append(section, form);
  });
}
