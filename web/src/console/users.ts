// Users (the guide's "Users" page): the list with search by user name and keyset paging
// (NextToken), create, a user's attributes with edit, disable/enable, and group memberships.
// Every action is the identitystore or AtriumAdmin operation the CLI would call.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { navigate, PageContext } from '../router';
import { call } from './capi';
import { act, Caller, consoleFrame, table } from './shell';

interface User {
  UserId: string;
  UserName: string;
  DisplayName?: string;
  Name?: { GivenName?: string; FamilyName?: string };
  Emails?: { Value?: string; Primary?: boolean }[];
  Title?: string;
  UserStatus?: string;
}

interface UserPage { Users: User[]; NextToken?: string }

function email(u: User): string {
  return u.Emails?.[0]?.Value ?? '';
}

export async function usersPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Users');
  if (!me) return;
  const store = me.storeId;
  const error = errorRegion();
  const status = statusRegion();
  const search = field('user-search', 'Find by user name', { required: false, type: 'search' });
  const results = h('div', {});
  const tokens: (string | undefined)[] = [undefined];  // the NextToken of each page shown
  let at = 0;

  async function load(): Promise<void> {
    const body: Record<string, unknown> = { IdentityStoreId: store, MaxResults: 25 };
    if (tokens[at]) body.NextToken = tokens[at];
    const q = search.input.value.trim();
    if (q) body.Filters = [{ AttributePath: 'UserName', AttributeValue: q }];
    await act(null, error, async () => {
      const page = await call<UserPage>('AWSIdentityStore.ListUsers', body);
      if (ctx.stale()) return;
      tokens[at + 1] = page.NextToken;
      const rows = page.Users.map((u) => [
        h('a', { href: `/portal/console/user?id=${encodeURIComponent(u.UserId)}` }, u.UserName),
        u.DisplayName ?? '', email(u), u.UserStatus === 'DISABLED' ? 'Disabled' : 'Enabled']);
      results.replaceChildren(
        table(`Users, page ${at + 1}`, ['User name', 'Display name', 'Email', 'Status'], rows),
        h('div', { class: 'actions' },
          button('Previous page', { disabled: at === 0, onclick: () => { at -= 1; void load(); } }),
          button('Next page', { disabled: !page.NextToken, onclick: () => { at += 1; void load(); } })));
      status.textContent = `${page.Users.length} users on this page.`;
    });
  }

  const form = h('form', { class: 'inline search', role: 'search', onsubmit: (e: Event) => {
    e.preventDefault();
    tokens.length = 1;
    at = 0;
    void load();
  } }, search.wrapper, h('button', { type: 'submit' }, 'Search'));
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
    await membershipsSection(me, store, u, error));
}

function details(u: User): HTMLElement {
  const row = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v || '-')];
  return h('dl', { class: 'details' },
    ...row('User ID', u.UserId), ...row('User name', u.UserName), ...row('Display name', u.DisplayName ?? ''),
    ...row('Email', email(u)), ...row('Status', u.UserStatus === 'DISABLED' ? 'Disabled' : 'Enabled'));
}

function editForm(me: Caller, store: string, u: User, error: HTMLElement, status: HTMLElement): HTMLElement | null {
  if (!me.may('identitystore:UpdateUser')) return null;
  const display = field('edit-display', 'Display name', { value: u.DisplayName ?? '', maxlength: 1024 });
  const given = field('edit-given', 'First name', { value: u.Name?.GivenName ?? '', maxlength: 1024 });
  const family = field('edit-family', 'Last name', { value: u.Name?.FamilyName ?? '', maxlength: 1024 });
  const title = field('edit-title', 'Job title', { value: u.Title ?? '', required: false, maxlength: 1024 });
  const mail = field('edit-email', 'Email address', { value: email(u), type: 'email', required: false, maxlength: 1024 });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
  return h('form', { 'aria-labelledby': 'edit-heading', onsubmit: (e: Event) => {
    e.preventDefault();
    void act(save, error, async () => {
      const ops: { AttributePath: string; AttributeValue?: unknown }[] = [
        { AttributePath: 'displayName', AttributeValue: display.input.value.trim() },
        { AttributePath: 'name.givenName', AttributeValue: given.input.value.trim() },
        { AttributePath: 'name.familyName', AttributeValue: family.input.value.trim() },
      ];
      const t = title.input.value.trim();
      ops.push(t ? { AttributePath: 'title', AttributeValue: t } : { AttributePath: 'title' });
      const m = mail.input.value.trim();
      ops.push(m ? { AttributePath: 'emails', AttributeValue: [{ Value: m, Type: 'work', Primary: true }] }
        : { AttributePath: 'emails' });
      await call('AWSIdentityStore.UpdateUser', { IdentityStoreId: store, UserId: u.UserId, Operations: ops });
      status.textContent = 'Changes saved.';
    });
  } }, h('h2', { id: 'edit-heading' }, 'Edit attributes'), display.wrapper, given.wrapper, family.wrapper,
  title.wrapper, mail.wrapper, h('div', { class: 'actions' }, save));
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
