// A user's page, continued: "Reset password" (the user guide's two ways: an e-mail with a reset
// link, or a one-time password shown once to the administrator), the user's MFA devices (list
// and delete: AtriumAdmin.ListMfaDevicesForUser / DeleteMfaDeviceForUser) and the AWS accounts
// the user is assigned to (sso-admin ListAccountAssignmentsForPrincipal).

import { append, button, formatDate, h } from '../dom';
import { call } from './capi';
import { all, SSO } from './orgs';
import { act, Caller, table } from './shell';

interface UserRef { UserId: string; UserName: string }

export function passwordSection(me: Caller, u: UserRef, error: HTMLElement, status: HTMLElement): HTMLElement | null {
  const mail = me.may('sso-directory:SendPasswordResetEmail');
  const otp = me.may('sso-directory:GenerateOneTimePassword');
  if (!mail && !otp) return null;
  const shown = h('div', {});
  const byMail = mail ? button('Send an email with password reset instructions') : null;
  byMail?.addEventListener('click', () => void act(byMail, error, async () => {
    await call('AtriumAdmin.SendPasswordResetEmail', { UserId: u.UserId });
    status.textContent = `A password reset email was sent to ${u.UserName}.`;
  }));
  const byOtp = otp ? button('Generate a one-time password') : null;
  byOtp?.addEventListener('click', () => {
    if (!confirm(`Generate a one-time password for ${u.UserName}? Their current password stops working.`)) return;
    void act(byOtp, error, async () => {
      const r = await call<{ OneTimePassword: string }>('AtriumAdmin.GenerateOneTimePassword', { UserId: u.UserId });
      const copy = button('Copy password');
      copy.addEventListener('click', () => {
        void navigator.clipboard?.writeText(r.OneTimePassword).then(() => { status.textContent = 'Password copied.'; },
          () => { status.textContent = 'Select the password and copy it.'; });
      });
      shown.replaceChildren(h('div', { class: 'notice', role: 'region', 'aria-label': 'One-time password' },
        h('p', {}, `Give this one-time password to ${u.UserName}: it is not shown again, and it must be changed at the next sign-in.`),
        h('code', { id: 'one-time-password', class: 'secret' }, r.OneTimePassword), ' ', copy));
      copy.focus();
    });
  });
  return h('section', { 'aria-labelledby': 'password-heading' }, h('h2', { id: 'password-heading' }, 'Reset password'),
    shown, h('div', { class: 'actions' }, byMail, byOtp));
}

interface Device { DeviceId: string; Type: string; Name: string; CreatedAt?: number; LastUsedAt?: number }

export async function mfaSection(me: Caller, u: UserRef, error: HTMLElement, status: HTMLElement): Promise<HTMLElement | null> {
  if (!me.may('sso-directory:ListMfaDevicesForUser')) return null;
  const section = h('section', { 'aria-labelledby': 'mfa-devices-heading' });
  const when = (s?: number) => (s ? formatDate(new Date(s * 1000).toISOString()) : 'never');
  async function load(): Promise<void> {
    await act(null, error, async () => {
      const r = await call<{ MfaDevices: Device[] }>('AtriumAdmin.ListMfaDevicesForUser', { UserId: u.UserId });
      const canDelete = me.may('sso-directory:DeleteMfaDeviceForUser');
      const rows = r.MfaDevices.map((d) => {
        const cells: (Node | string)[] = [d.Name, d.Type === 'totp' ? 'Authenticator app' : 'Security key or built-in authenticator',
          when(d.CreatedAt), when(d.LastUsedAt)];
        if (canDelete) {
          const del = button('Delete', { class: 'danger', 'aria-label': `Delete MFA device ${d.Name}` });
          del.addEventListener('click', () => {
            if (!confirm(`Delete the MFA device ${d.Name} of ${u.UserName}?`)) return;
            void act(del, error, async () => {
              await call('AtriumAdmin.DeleteMfaDeviceForUser', { UserId: u.UserId, DeviceId: d.DeviceId });
              status.textContent = `The MFA device ${d.Name} was deleted.`;
              await load();
            });
          });
          cells.push(del);
        }
        return cells;
      });
      const headers = ['Name', 'Type', 'Registered', 'Last used'];
      if (canDelete) headers.push('Actions');
      section.replaceChildren(h('h2', { id: 'mfa-devices-heading' }, 'MFA devices'),
        rows.length ? table(`MFA devices of ${u.UserName}`, headers, rows) : h('p', {}, 'This user has no MFA device.'));
    });
  }
  await load();
  return section;
}

interface Assignment { AccountId: string; PermissionSetArn: string }

export async function assignmentsSection(me: Caller, u: UserRef, error: HTMLElement): Promise<HTMLElement | null> {
  if (!me.may('sso:ListAccountAssignmentsForPrincipal')) return null;
  const section = h('section', { 'aria-labelledby': 'user-accounts-heading' }, h('h2', { id: 'user-accounts-heading' }, 'AWS accounts'));
  await act(null, error, async () => {
    const found = await all<Assignment>(`${SSO}.ListAccountAssignmentsForPrincipal`,
      { InstanceArn: me.instanceArn, PrincipalType: 'USER', PrincipalId: u.UserId, MaxResults: 100 }, 'AccountAssignments');
    const names = new Map<string, string>();
    await Promise.all([...new Set(found.map((a) => a.PermissionSetArn))].map(async (arn) => {
      const p = await call<{ PermissionSet: { Name: string } }>(`${SSO}.DescribePermissionSet`, { InstanceArn: me.instanceArn, PermissionSetArn: arn });
      names.set(arn, p.PermissionSet.Name);
    }));
    append(section, found.length
      ? table(`Direct assignments of ${u.UserName}`, ['Account', 'Permission set'], found.map((a) => [
        h('a', { href: `/portal/console/account?id=${encodeURIComponent(a.AccountId)}` }, a.AccountId),
        h('a', { href: `/portal/console/permission-set?arn=${encodeURIComponent(a.PermissionSetArn)}` }, names.get(a.PermissionSetArn) ?? a.PermissionSetArn)]))
      : h('p', {}, 'This user has no direct assignment (assignments through groups are on the groups\' accounts).'));
  });
  return section;
}
