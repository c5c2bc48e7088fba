// Groups (the guide's "Groups" page): the list with keyset paging, create, and a group's members
// (add a user by user name, remove), each through the identitystore operations.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { navigate, PageContext } from '../router';
import { call } from './capi';
import { act, Caller, consoleFrame, Sort, table } from './shell';

interface Group { GroupId: string; DisplayName?: string; Description?: string }
interface Membership { MembershipId: string; MemberId: { UserId?: string } }

export async function groupsPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Groups');
  if (!me) return;
  const error = errorRegion();
  const results = h('div', {});
  const tokens: (string | undefined)[] = [undefined];
  let at = 0;
  // AtriumAdmin.SearchGroups when the caller may (a prefix of the name, sorted by name either
  // way, server-side), else identitystore's ListGroups (the store's order).
  const searching = me.may('sso-directory:SearchGroups');
  const search = field('group-search', 'Find groups', { required: false, type: 'search',
    hint: 'The start of a group name (not case-sensitive).' });
  let sort: Sort = { column: 0, descending: false };
  function restart(): void {
    tokens.length = 1;
    at = 0;
    void load();
  }
  async function load(): Promise<void> {
    await act(null, error, async () => {
      let page: { Groups: Group[]; NextToken?: string };
      if (searching) {
        const body: Record<string, unknown> = { MaxResults: 25, SortOrder: sort.descending ? 'DESCENDING' : 'ASCENDING' };
        if (search.input.value.trim()) body.Prefix = search.input.value.trim();
        if (tokens[at]) body.NextToken = tokens[at];
        page = await call('AtriumAdmin.SearchGroups', body);
      } else {
        const body: Record<string, unknown> = { IdentityStoreId: me!.storeId, MaxResults: 25 };
        if (tokens[at]) body.NextToken = tokens[at];
        page = await call('AWSIdentityStore.ListGroups', body);
      }
      if (ctx.stale()) return;
      tokens[at + 1] = page.NextToken;
      const refocus = document.activeElement?.closest('th') !== null && document.activeElement?.closest('th') !== undefined;
      const t = table(`Groups, page ${at + 1}`, ['Group', 'Description'], page.Groups.map((g) => [
        h('a', { href: `/portal/console/group?id=${encodeURIComponent(g.GroupId)}` }, g.DisplayName ?? g.GroupId),
        g.Description ?? '']), searching
        ? { sort, sortable: [true, false], onSort: (next) => { sort = next; restart(); } }
        : { sortable: [false, false] });
      results.replaceChildren(t,
        h('div', { class: 'actions' },
          button('Previous page', { disabled: at === 0, onclick: () => { at -= 1; void load(); } }),
          button('Next page', { disabled: !page.NextToken, onclick: () => { at += 1; void load(); } })));
      if (refocus) (t.querySelector('th button') as HTMLElement | null)?.focus();
    });
  }
  const form = searching ? h('form', { class: 'inline search', role: 'search', onsubmit: (e: Event) => {
    e.preventDefault();
    restart();
  } }, search.wrapper, h('button', { type: 'submit' }, 'Search')) : null;
  let create: HTMLElement | null = null;
  if (me.may('identitystore:CreateGroup')) {
    const name = field('new-group-name', 'Group name', { maxlength: 1024 });
    const desc = field('new-group-description', 'Description', { required: false, maxlength: 1024 });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Create group');
    create = h('form', { 'aria-labelledby': 'create-group-heading', onsubmit: (e: Event) => {
      e.preventDefault();
      void act(submit, error, async () => {
        const body: Record<string, unknown> = { IdentityStoreId: me.storeId, DisplayName: name.input.value.trim() };
        if (desc.input.value.trim()) body.Description = desc.input.value.trim();
        const made = await call<{ GroupId: string }>('AWSIdentityStore.CreateGroup', body);
        await navigate(`/portal/console/group?id=${encodeURIComponent(made.GroupId)}&created=1`);
      });
    } }, h('h2', { id: 'create-group-heading' }, 'Create group'), name.wrapper, desc.wrapper,
    h('div', { class: 'actions' }, submit));
  }
  append(ctx.main, form, error, results, create);
  await load();
}

export async function groupPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Group');
  if (!me) return;
  const id = ctx.params.get('id') ?? '';
  const error = errorRegion();
  const status = statusRegion();
  append(ctx.main, error, status);
  let g: Group;
  try {
    g = await call<Group>('AWSIdentityStore.DescribeGroup', { IdentityStoreId: me.storeId, GroupId: id });
  } catch (err) {
    await act(null, error, () => Promise.reject(err));
    return;
  }
  if (ctx.stale()) return;
  if (ctx.params.get('created')) status.textContent = `Group ${g.DisplayName ?? ''} was created.`;
  (ctx.main.querySelector('h1') as HTMLElement).textContent = `Group ${g.DisplayName ?? g.GroupId}`;
  const members = h('section', { 'aria-labelledby': 'members-heading' }, h('h2', { id: 'members-heading' }, 'Members'));
  append(ctx.main, g.Description ? h('p', {}, g.Description) : null, members);

  async function loadMembers(): Promise<void> {
    await act(null, error, async () => {
      const r = await call<{ GroupMemberships: Membership[] }>('AWSIdentityStore.ListGroupMemberships',
        { IdentityStoreId: me!.storeId, GroupId: g.GroupId, MaxResults: 100 });
      const rows = await Promise.all(r.GroupMemberships.filter((m) => m.MemberId.UserId).map(async (m) => {
        const u = await call<{ UserName: string }>('AWSIdentityStore.DescribeUser',
          { IdentityStoreId: me!.storeId, UserId: m.MemberId.UserId });
        const cells: (Node | string)[] = [
          h('a', { href: `/portal/console/user?id=${encodeURIComponent(m.MemberId.UserId ?? '')}` }, u.UserName)];
        if (me!.may('identitystore:DeleteGroupMembership')) {
          const rm = button('Remove', { class: 'danger', 'aria-label': `Remove ${u.UserName} from the group` });
          rm.addEventListener('click', () => {
            if (!confirm(`Remove ${u.UserName} from ${g.DisplayName ?? 'the group'}?`)) return;
            void act(rm, error, async () => {
              await call('AWSIdentityStore.DeleteGroupMembership', { IdentityStoreId: me!.storeId, MembershipId: m.MembershipId });
              status.textContent = `${u.UserName} was removed.`;
              await loadMembers();
            });
          });
          cells.push(rm);
        }
        return cells;
      }));
      const headers = me!.may('identitystore:DeleteGroupMembership') ? ['User', 'Actions'] : ['User'];
      members.replaceChildren(h('h2', { id: 'members-heading' }, 'Members'),
        rows.length ? table(`Members of ${g.DisplayName ?? ''}`, headers, rows) : h('p', {}, 'This group has no members.'),
        addForm() ?? '');
    });
  }

  function addForm(): HTMLElement | null {
    if (!me!.may('identitystore:CreateGroupMembership')) return null;
    const who = field('add-member', 'User name to add', { maxlength: 128, spellcheck: false, autocomplete: 'off' });
    const submit = h('button', { type: 'submit' }, 'Add user');
    return h('form', { class: 'inline', onsubmit: (e: Event) => {
      e.preventDefault();
      void act(submit, error, async () => {
        const found = await call<{ UserId: string }>('AWSIdentityStore.GetUserId', {
          IdentityStoreId: me!.storeId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'UserName', AttributeValue: who.input.value.trim() } },
        });
        await call('AWSIdentityStore.CreateGroupMembership',
          { IdentityStoreId: me!.storeId, GroupId: g.GroupId, MemberId: { UserId: found.UserId } });
        status.textContent = `${who.input.value.trim()} was added.`;
        await loadMembers();
        (document.getElementById('add-member') as HTMLInputElement | null)?.focus();
      });
    } }, who.wrapper, submit);
  }
  await loadMembers();
  if (me.may('sso-directory:ListMembersInGroup')) {
    const nested = h('section', { 'aria-labelledby': 'nested-heading' });
    append(ctx.main, nested);
    await nestedSection(me, g, nested, error, status);
  }
}

interface GroupMembers {
  MemberGroups: { GroupId: string; DisplayName: string }[];
  EffectiveUsers: { UserId: string; UserName: string; Direct: boolean }[];
  EffectiveUserCount: number;
}

// Nested groups (AtriumAdmin.ListMembersInGroup / AddMemberToGroup / RemoveMemberFromGroup):
// the groups that are members of this one, add one by name, remove with confirmation, and the
// effective members: every user in the group directly or through a nested group, which is what
// assignments and console access use.
async function nestedSection(me: Caller, g: Group, section: HTMLElement, error: HTMLElement, status: HTMLElement): Promise<void> {
  async function load(): Promise<void> {
    await act(null, error, async () => {
      const m = await call<GroupMembers>('AtriumAdmin.ListMembersInGroup', { GroupId: g.GroupId });
      const canRemove = me.may('sso-directory:RemoveMemberFromGroup');
      const rows = m.MemberGroups.map((c) => {
        const cells: (Node | string)[] = [h('a', { href: `/portal/console/group?id=${encodeURIComponent(c.GroupId)}` }, c.DisplayName)];
        if (canRemove) {
          const rm = button('Remove', { class: 'danger', 'aria-label': `Remove group ${c.DisplayName} from this group` });
          rm.addEventListener('click', () => {
            if (!confirm(`Remove the group ${c.DisplayName} from ${g.DisplayName ?? 'this group'}? Its members lose what they had through it.`)) return;
            void act(rm, error, async () => {
              await call('AtriumAdmin.RemoveMemberFromGroup', { GroupId: g.GroupId, MemberGroupId: c.GroupId });
              status.textContent = `Group ${c.DisplayName} was removed.`;
              await load();
            });
          });
          cells.push(rm);
        }
        return cells;
      });
      const effective = m.EffectiveUsers.map((u) => [
        h('a', { href: `/portal/console/user?id=${encodeURIComponent(u.UserId)}` }, u.UserName),
        u.Direct ? 'Direct' : 'Through a nested group']);
      section.replaceChildren(h('h2', { id: 'nested-heading' }, 'Nested groups'),
        rows.length ? table(`Groups in ${g.DisplayName ?? ''}`, canRemove ? ['Group', 'Actions'] : ['Group'], rows,
          { sortable: canRemove ? [true, false] : [true] })
          : h('p', {}, 'No group is a member of this group.'),
        addGroupForm() ?? '',
        h('h3', {}, 'Effective members'),
        h('p', {}, `${m.EffectiveUserCount} ${m.EffectiveUserCount === 1 ? 'user is' : 'users are'} in this group, directly or through nested groups` +
          (m.EffectiveUserCount > m.EffectiveUsers.length ? ` (the first ${m.EffectiveUsers.length} are shown).` : '.')),
        effective.length ? table(`Effective members of ${g.DisplayName ?? ''}`, ['User', 'Membership'], effective) : '');
    });
  }
  function addGroupForm(): HTMLElement | null {
    if (!me.may('sso-directory:AddMemberToGroup')) return null;
    const which = field('add-nested-group', 'Group name to add', { maxlength: 1024, spellcheck: false, autocomplete: 'off' });
    const submit = h('button', { type: 'submit' }, 'Add group');
    return h('form', { class: 'inline', onsubmit: (e: Event) => {
      e.preventDefault();
      void act(submit, error, async () => {
        const name = which.input.value.trim();
        const found = await call<{ GroupId: string }>('AWSIdentityStore.GetGroupId', {
          IdentityStoreId: me.storeId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'DisplayName', AttributeValue: name } },
        });
        await call('AtriumAdmin.AddMemberToGroup', { GroupId: g.GroupId, MemberGroupId: found.GroupId });
        status.textContent = `Group ${name} was added.`;
        await load();
        (document.getElementById('add-nested-group') as HTMLInputElement | null)?.focus();
      });
    } }, which.wrapper, submit);
  }
  await load();
}
