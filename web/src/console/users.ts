// Users (the guide's "Users" page): the list with prefix search, sort and keyset paging
// (NextToken), create, a user's attributes with edit, disable/enable, and group memberships.
// Every action is the identitystore or AtriumAdmin operation the CLI would call.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { navigate, PageContext } from '../router';
import { call } from './capi';
import { select } from './policy_editor';
import { act, Caller, consoleFrame, Sort, table } from './shell';
import { assignmentsSection, mfaSection, passwordSection } from './user_access';

interface Address { StreetAddress?: string; Locality?: string; Region?: string; PostalCode?: string; Country?: string }
interface User {
  UserId: string;
  UserName: string;
  DisplayName?: string;
  Name?: { GivenName?: string; FamilyName?: string; MiddleName?: string; HonorificPrefix?: string; HonorificSuffix?: string };
  Emails?: { Value?: string; Primary?: boolean }[];
  PhoneNumbers?: { Value?: string }[];
  Addresses?: Address[];
  Title?: string; NickName?: string; UserType?: string; ProfileUrl?: string; PreferredLanguage?: string;
  Locale?: string; Timezone?: string;
  UserStatus?: string;
}

interface UserPage { Users: User[]; NextToken?: string }

function email(u: User): string {
  return u.Emails?.[0]?.Value ?? '';
}

// The list: AtriumAdmin.SearchUsers when the caller may (sorted server-side by the user name,
// display name or e-mail, and a prefix of that same column: one index range per page at any size;
// keyset-paged), else identitystore's ListUsers (the exact user name; the store's order).
const SORT_BY = ['USER_NAME', 'DISPLAY_NAME', 'EMAIL'] as const;
const COLUMN_NAMES = ['user name', 'display name', 'email'];

export async function usersPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Users');
  if (!me) return;
  const store = me.storeId;
  const error = errorRegion();
  const status = statusRegion();
  const searching = me.may('sso-directory:SearchUsers');
  const search = field('user-search', searching ? 'Starts with' : 'Find by user name', { required: false, type: 'search',
    hint: searching ? 'The start of the user name, display name or email chosen in "Search by" (not case-sensitive); the list is sorted by that column.'
      : 'The exact user name (the identitystore API filters on UserName only).' });
  const by = select('user-search-by', 'Search by', [['0', 'User name'], ['1', 'Display name'], ['2', 'Email']], '0');
  const results = h('div', {});
  const tokens: (string | undefined)[] = [undefined];  // the NextToken of each page shown
  let at = 0;
  let sort: Sort = { column: 0, descending: false };
  by.input.addEventListener('change', () => { sort = { column: Number(by.input.value), descending: false }; });

  async function page(): Promise<UserPage> {
    const q = search.input.value.trim();
    if (searching) {
      const body: Record<string, unknown> = { MaxResults: 25, SortBy: SORT_BY[sort.column],
        SortOrder: sort.descending ? 'DESCENDING' : 'ASCENDING' };
      if (q) body.Prefix = q;
      if (tokens[at]) body.NextToken = tokens[at];
      return call<UserPage>('AtriumAdmin.SearchUsers', body);
    }
    const body: Record<string, unknown> = { IdentityStoreId: store, MaxResults: 25 };
    if (tokens[at]) body.NextToken = tokens[at];
    if (q) body.Filters = [{ AttributePath: 'UserName', AttributeValue: q }];
    return call<UserPage>('AWSIdentityStore.ListUsers', body);
  }

  function restart(): void {
    tokens.length = 1;
    at = 0;
    void load();
  }

  async function load(): Promise<void> {
    await act(null, error, async () => {
      const p = await page();
      if (ctx.stale()) return;
      tokens[at + 1] = p.NextToken;
      const rows = p.Users.map((u) => [
        h('a', { href: `/portal/console/user?id=${encodeURIComponent(u.UserId)}` }, u.UserName),
        u.DisplayName ?? '', email(u), u.UserStatus === 'DISABLED' ? 'Disabled' : 'Enabled']);
      const focused = document.activeElement?.closest('th')?.cellIndex;
      const t = table(`Users, page ${at + 1}`, ['User name', 'Display name', 'Email', 'Status'], rows, searching
        ? { sort, sortable: [true, true, true, false], onSort: (next) => { sort = next; by.input.value = String(next.column); restart(); } }
        : { sortable: [false, false, false, false] });
      results.replaceChildren(t,
        h('div', { class: 'actions' },
          button('Previous page', { disabled: at === 0, onclick: () => { at -= 1; void load(); } }),
          button('Next page', { disabled: !p.NextToken, onclick: () => { at += 1; void load(); } })));
      // A re-sort replaces the table: the focus goes back to the heading that was activated.
      if (focused !== undefined) (t.tHead?.rows[0]?.cells[focused]?.querySelector('button') as HTMLElement | null)?.focus();
      const q = search.input.value.trim();
      status.textContent = `${p.Users.length} users on this page` +
        (searching && q ? ` whose ${COLUMN_NAMES[sort.column]} starts with "${q}".` : '.');
    });
  }

  const form = h('form', { class: 'inline search', role: 'search', onsubmit: (e: Event) => {
    e.preventDefault();
    restart();
  } }, searching ? by.wrapper : null, search.wrapper, h('button', { type: 'submit' }, 'Search'));
  append(ctx.main,
    me.may('identitystore:CreateUser') ? h('p', {}, h('a', { href: '/portal/console/users/new', class: 'button-link' }, 'Create user')) : null,
    form, error, status, results);
  await load();
}

export async function newUserPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Create user');
  if (!me) return;
  const store = me.storeId;
  const error = errorRegion();
  const userName = field('new-user-name', 'User name', { autocomplete: 'off', maxlength: 128, spellcheck: false });
  const given = field('new-user-given', 'First name', { maxlength: 1024 });
  const family = field('new-user-family', 'Last name', { maxlength: 1024 });
  const display = field('new-user-display', 'Display name', { maxlength: 1024 });
  const mail = field('new-user-email', 'Email address', { type: 'email', required: false, maxlength: 1024 });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create user');
  const form = h('form', { onsubmit: (e: Event) => {
    e.preventDefault();
    void act(submit, error, async () => {
      const body: Record<string, unknown> = {
        IdentityStoreId: store, UserName: userName.input.value.trim(), DisplayName: display.input.value.trim(),
        Name: { GivenName: given.input.value.trim(), FamilyName: family.input.value.trim() },
      };
      const m = mail.input.value.trim();
      if (m) body.Emails = [{ Value: m, Type: 'work', Primary: true }];
      const made = await call<{ UserId: string }>('AWSIdentityStore.CreateUser', body);
      await navigate(`/portal/console/user?id=${encodeURIComponent(made.UserId)}&created=1`);
    });
  } }, userName.wrapper, given.wrapper, family.wrapper, display.wrapper, mail.wrapper, error,
  h('div', { class: 'actions' }, submit));
  append(ctx.main, form);
}

export async function userPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'User');
  if (!me) return;
  const store = me.storeId;
  const id = ctx.params.get('id') ?? '';
  const error = errorRegion();
  const status = statusRegion();
  append(ctx.main, error, status);
  let u: User;
  try {
    u = await call<User>('AWSIdentityStore.DescribeUser', { IdentityStoreId: store, UserId: id });
  } catch (err) {
    await act(null, error, () => Promise.reject(err));
    return;
  }
  if (ctx.stale()) return;
  if (ctx.params.get('created')) status.textContent = `User ${u.UserName} was created.`;
  (ctx.main.querySelector('h1') as HTMLElement).textContent = `User ${u.UserName}`;
  append(ctx.main, details(u), editForm(me, store, u, error, status), statusSection(me, u, error),
    passwordSection(me, u, error, status), await membershipsSection(me, store, u, error));
  const [devices, access] = await Promise.all([mfaSection(me, u, error, status), assignmentsSection(me, u, error)]);
  if (!ctx.stale()) append(ctx.main, devices, access);
}

function details(u: User): HTMLElement {
  const row = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v || '-')];
  return h('dl', { class: 'details' },
    ...row('User ID', u.UserId), ...row('User name', u.UserName), ...row('Display name', u.DisplayName ?? ''),
    ...row('Email', email(u)), ...row('Status', u.UserStatus === 'DISABLED' ? 'Disabled' : 'Enabled'));
}

// Every attribute the identitystore API has for a user (UpdateUser's attribute paths), one field
// each; only the changed ones are sent, an emptied one is removed (an operation without a value).
type Path = [path: string, label: string, get: (u: User) => string | undefined, required?: boolean];
const SCALARS: Path[] = [
  ['displayName', 'Display name', (u) => u.DisplayName, true],
  ['name.givenName', 'First name', (u) => u.Name?.GivenName, true],
  ['name.middleName', 'Middle name', (u) => u.Name?.MiddleName],
  ['name.familyName', 'Last name', (u) => u.Name?.FamilyName, true],
  ['name.honorificPrefix', 'Honorific prefix', (u) => u.Name?.HonorificPrefix],
  ['name.honorificSuffix', 'Honorific suffix', (u) => u.Name?.HonorificSuffix],
  ['nickName', 'Nickname', (u) => u.NickName],
  ['title', 'Job title', (u) => u.Title],
  ['userType', 'User type', (u) => u.UserType],
  ['profileUrl', 'Profile URL', (u) => u.ProfileUrl],
  ['preferredLanguage', 'Preferred language', (u) => u.PreferredLanguage],
  ['locale', 'Locale', (u) => u.Locale],
  ['timezone', 'Time zone', (u) => u.Timezone],
];
const ADDRESS: [keyof Address, string][] = [
  ['StreetAddress', 'Street address'], ['Locality', 'City'], ['Region', 'State or province'],
  ['PostalCode', 'Postal code'], ['Country', 'Country'],
];

function editForm(me: Caller, store: string, u: User, error: HTMLElement, status: HTMLElement): HTMLElement | null {
  if (!me.may('identitystore:UpdateUser')) return null;
  const scalars = SCALARS.map(([path, label, get, required]) => ({ path, before: get(u) ?? '',
    f: field(`edit-${path.replace('.', '-')}`, label, { value: get(u) ?? '', required: required ?? false, maxlength: 1024 }) }));
  const mail = field('edit-email', 'Email address', { value: email(u), type: 'email', required: false, maxlength: 1024 });
  const phone = field('edit-phone', 'Phone number', { value: u.PhoneNumbers?.[0]?.Value ?? '', type: 'tel', required: false, maxlength: 1024 });
  const addr = u.Addresses?.[0] ?? {};
  const address = ADDRESS.map(([k, label]) => ({ k, f: field(`edit-address-${k}`, label, { value: addr[k] ?? '', required: false, maxlength: 1024 }) }));
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
  return h('form', { 'aria-labelledby': 'edit-heading', onsubmit: (e: Event) => {
    e.preventDefault();
    void act(save, error, async () => {
      const ops: { AttributePath: string; AttributeValue?: unknown }[] = [];
      for (const s of scalars) {
        const v = s.f.input.value.trim();
        if (v !== s.before) ops.push(v ? { AttributePath: s.path, AttributeValue: v } : { AttributePath: s.path });
      }
      const m = mail.input.value.trim();
      if (m !== email(u)) ops.push(m ? { AttributePath: 'emails', AttributeValue: [{ Value: m, Type: 'work', Primary: true }] } : { AttributePath: 'emails' });
      const p = phone.input.value.trim();
      if (p !== (u.PhoneNumbers?.[0]?.Value ?? '')) ops.push(p ? { AttributePath: 'phoneNumbers', AttributeValue: [{ Value: p, Type: 'work', Primary: true }] } : { AttributePath: 'phoneNumbers' });
      const next: Address = {};
      for (const a of address) if (a.f.input.value.trim()) next[a.k] = a.f.input.value.trim();
      if (ADDRESS.some(([k]) => (next[k] ?? '') !== (addr[k] ?? '')))
        ops.push(Object.keys(next).length ? { AttributePath: 'addresses', AttributeValue: [{ ...next, Type: 'work', Primary: true }] } : { AttributePath: 'addresses' });
      if (!ops.length) { status.textContent = 'Nothing changed.'; return; }
      await call('AWSIdentityStore.UpdateUser', { IdentityStoreId: store, UserId: u.UserId, Operations: ops });
      status.textContent = 'Changes saved.';
    });
  } }, h('h2', { id: 'edit-heading' }, 'Edit attributes'), ...scalars.map((s) => s.f.wrapper), mail.wrapper, phone.wrapper,
  h('fieldset', {}, h('legend', {}, 'Address'), ...address.map((a) => a.f.wrapper)), h('div', { class: 'actions' }, save));
}

function statusSection(me: Caller, u: User, error: HTMLElement): HTMLElement | null {
  const disabled = u.UserStatus === 'DISABLED';
  const needs = disabled ? 'sso-directory:EnableUser' : 'sso-directory:DisableUser';
  if (!me.may(needs)) return null;
  const btn = button(disabled ? 'Enable user access' : 'Disable user access', { class: disabled ? '' : 'danger' });
  btn.addEventListener('click', () => {
    // The guide: disabling asks for confirmation; the user's sessions end at once.
    if (!disabled && !confirm(`Disable ${u.UserName}? Their sign-in sessions end now.`)) return;
    void act(btn, error, async () => {
      await call(disabled ? 'AtriumAdmin.EnableUser' : 'AtriumAdmin.DisableUser', { UserId: u.UserId });
      await navigate(location.pathname + location.search.replace(/&created=1/, ''), true);
    });
  });
  return h('section', { 'aria-labelledby': 'status-heading' }, h('h2', { id: 'status-heading' }, 'User status'),
    h('p', {}, disabled ? 'This user cannot sign in.' : 'This user can sign in.'), btn);
}

interface Membership { MembershipId: string; GroupId: string }
interface GroupInfo { GroupId: string; DisplayName?: string }

async function membershipsSection(me: Caller, store: string, u: User, error: HTMLElement): Promise<HTMLElement | null> {
  if (!me.may('identitystore:ListGroupMembershipsForMember')) return null;
  const section = h('section', { 'aria-labelledby': 'groups-heading' }, h('h2', { id: 'groups-heading' }, 'Groups'));
  await act(null, error, async () => {
    const r = await call<{ GroupMemberships: Membership[] }>('AWSIdentityStore.ListGroupMembershipsForMember',
      { IdentityStoreId: store, MemberId: { UserId: u.UserId } });
    const rows = await Promise.all(r.GroupMemberships.map(async (m) => {
      const g = await call<GroupInfo>('AWSIdentityStore.DescribeGroup', { IdentityStoreId: store, GroupId: m.GroupId });
      return [h('a', { href: `/portal/console/group?id=${encodeURIComponent(m.GroupId)}` }, g.DisplayName ?? m.GroupId)];
    }));
    append(section, rows.length ? table(`Groups of ${u.UserName}`, ['Group'], rows)
      : h('p', {}, 'This user is in no group.'));
  });
  return section;
}
