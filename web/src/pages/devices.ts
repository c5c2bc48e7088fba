// The user's MFA devices: list, rename, delete and register (the guide's "Manage a user's MFA
// devices"; when only administrators manage devices the server says canManage: false and refuses
// the changes with 403 Forbidden).

import { api, Device, DeviceListing, TotpEnrollment, describeError } from '../api';
import { h, field, errorRegion, statusRegion, heading, append, clear, button, formatDate } from '../dom';
import { onSubmit } from '../forms';
import { PageContext, focusPage } from '../router';
import { RegistrationApi, TYPE_LABELS, totpSetup, webauthnSetup } from '../registration';
import { requireSession } from '../session';

type Json = Record<string, unknown>;

export async function devicesPage(ctx: PageContext): Promise<void> {
  const session = await requireSession(ctx);
  if (!session || ctx.stale()) return;
  const error = errorRegion();
  const status = statusRegion();
  const list = h('div', { class: 'devices' });
  const register = h('section', { class: 'register', 'aria-labelledby': 'register-title' });
  if (session.mfaManagedByIdentityProvider) {
    // As the service's settings page: with an external identity provider, MFA is the IdP's.
    append(ctx.main, heading('MFA devices'),
      h('p', { class: 'note' }, 'You sign in through your identity provider, which asks for multi-factor ' +
        'authentication. Manage your MFA devices there.'));
    return;
  }
  append(ctx.main, heading('MFA devices'), error, status, list, register);
  await refresh({ list, register, error, status });
}

interface View {
  list: HTMLElement;
  register: HTMLElement;
  error: HTMLElement;
  status: HTMLElement;
}

async function refresh(v: View): Promise<void> {
  let listing: DeviceListing;
  try {
    listing = await api<DeviceListing>('GET', '/portal/api/devices');
  } catch (err) {
    v.error.textContent = describeError(err);
    return;
  }
  clear(v.list);
  if (!listing.devices.length) {
    v.list.append(h('p', {}, 'You have no MFA devices registered.'));
  } else {
    v.list.append(h('table', {},
      h('caption', {}, 'Your registered devices'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Type'),
        h('th', { scope: 'col' }, 'Registered'), h('th', { scope: 'col' }, 'Last used'),
        listing.canManage ? h('th', { scope: 'col' }, 'Actions') : null)),
      h('tbody', {}, ...listing.devices.map((d) => deviceRow(d, listing.canManage, v)))));
  }
  clear(v.register);
  if (!listing.canManage) {
    v.register.append(h('p', { id: 'register-title' },
      'Your administrator manages MFA devices. Ask them to register, rename or remove a device.'));
    return;
  }
  registerChooser(v);
}

function deviceRow(d: Device, canManage: boolean, v: View): HTMLTableRowElement {
  const row = h('tr', { 'data-device-id': d.id },
    h('th', { scope: 'row', class: 'device-name' }, d.name),
    h('td', {}, TYPE_LABELS[d.type] ?? d.type),
    h('td', {}, formatDate(d.created)),
    h('td', {}, formatDate(d.lastUsed ?? null)));
  if (!canManage) return row;
  const actions = h('td', { class: 'row-actions' });
  const rename = button('Rename', { 'aria-label': `Rename ${d.name}` });
  const remove = button('Delete', { 'aria-label': `Delete ${d.name}`, class: 'danger' });
  rename.addEventListener('click', () => renameForm(d, actions, v));
  remove.addEventListener('click', () => confirmDelete(d, actions, v));
  actions.append(rename, remove);
  row.append(actions);
  return row;
}

function renameForm(d: Device, cell: HTMLElement, v: View): void {
  clear(cell);
  const name = field(`rename-${d.id}`, `New name for ${d.name}`, { value: d.name, maxlength: 64 });
  const form = h('form', { class: 'inline' }, name.wrapper,
    h('button', { type: 'submit' }, 'Save'), button('Cancel', { onclick: () => void refresh(v) }));
  cell.append(form);
  name.input.focus();
  name.input.select();
  onSubmit({
    form, error: v.error,
    run: async () => {
      await api('POST', `/portal/api/devices/${encodeURIComponent(d.id)}/rename`, { name: name.input.value.trim() });
      v.status.textContent = `Renamed to ${name.input.value.trim()}.`;
      await refresh(v);
      v.list.querySelector<HTMLElement>('caption')?.setAttribute('tabindex', '-1');
      v.list.querySelector<HTMLElement>('caption')?.focus();
    },
  });
}

function confirmDelete(d: Device, cell: HTMLElement, v: View): void {
  clear(cell);
  const yes = button(`Delete ${d.name}`, { class: 'danger' });
  const no = button('Cancel', { onclick: () => void refresh(v) });
  const form = h('form', { class: 'inline' }, h('span', {}, 'Delete this device? '), yes, no);
  cell.append(form);
  no.focus();
  yes.addEventListener('click', async () => {
    v.error.textContent = '';
    try {
      await api('DELETE', `/portal/api/devices/${encodeURIComponent(d.id)}`);
      v.status.textContent = `Deleted ${d.name}.`;
    } catch (err) {
      v.error.textContent = describeError(err);
    }
    await refresh(v);
    const main = document.getElementById('main');
    if (main) focusHeading(main);
  });
}

function focusHeading(main: HTMLElement): void {
  main.querySelector<HTMLElement>('h1')?.focus();
}

function registerChooser(v: View): void {
  const setup = h('div', { class: 'setup' });
  const reg: RegistrationApi = {
    totpBegin: () => api<TotpEnrollment>('POST', '/portal/api/devices/totp/begin', {}),
    totpFinish: async (enrollmentId, code, name) => {
      await api('POST', '/portal/api/devices/totp/finish', { enrollmentId, code, name });
      await registered(v, name);
    },
    webauthnBegin: () => api<Json>('POST', '/portal/api/devices/webauthn/begin', {}),
    webauthnFinish: async (credential, name) => {
      await api('POST', '/portal/api/devices/webauthn/finish', { credential, name });
      await registered(v, name);
    },
  };
  const startTotp = button('Register an authenticator app', { id: 'register-totp' });
  const startKey = button('Register a security key', { id: 'register-webauthn' });
  startTotp.addEventListener('click', () => { clear(setup); void totpSetup(setup, reg); });
  startKey.addEventListener('click', () => { clear(setup); webauthnSetup(setup, reg); });
  append(v.register, h('h2', { id: 'register-title' }, 'Register a new device'),
    h('div', { class: 'actions' }, startTotp, startKey), setup);
}

async function registered(v: View, name: string): Promise<void> {
  await refresh(v);
  v.status.textContent = `Registered ${name}.`;
  const main = document.getElementById('main');
  if (main) focusPage(main);
}
