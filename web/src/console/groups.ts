// Groups (the guide's "Groups" page): the list with keyset paging, create, and a group's members
// (add a user by user name, remove), each through the identitystore operations.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { navigate, PageContext } from '../router';
import { call } from './capi';
import { act, consoleFrame, table } from './shell';

interface Group { GroupId: string; DisplayName?: string; Description?: string }
interface Membership { MembershipId: string; MemberId: { UserId?: string } }

export async function groupsPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Groups');
  if (!me) return;
  const error = errorRegion();
  const results = h('div', {});
  const tokens: (string | undefined)[] = [undefined];
  let at = 0;
  async function load(): Promise<void> {
    const body: Record<string, unknown> = { IdentityStoreId: me!.storeId, MaxResults: 25 };
    if (tokens[at]) body.NextToken = tokens[at];
    await act(null, error, async () => {
      const page = await call<{ Groups: Group[]; NextToken?: string }>('AWSIdentityStore.ListGroups', body);
      if (ctx.stale()) return;
      tokens[at + 1] = page.NextToken;
      results.replaceChildren(
        table(`Groups, page ${at + 1}`, ['Group', 'Description'], page.Groups.map((g) => [
          h('a', { href: `/portal/console/group?id=${encodeURIComponent(g.GroupId)}` }, g.DisplayName ?? g.GroupId),
          g.Description ?? ''])),
        h('div', { class: 'actions' },
          button('Previous page', { disabled: at === 0, onclick: () => { at -= 1; void load(); } }),
          button('Next page', { disabled: !page.NextToken, onclick: () => { at += 1; void load(); } })));
    });
  }
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
  append(ctx.main, error, results, create);
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
}
