// AWS accounts (the user guide's "Assign user access": AWS accounts, select accounts, "Assign
// users or groups", choose users or groups, choose permission sets, Submit). The organization
// tree with its OUs, account selection, the assignment of one user or group with one or more
// permission sets to every selected account in one flow, and each assignment's provisioning
// status while it runs (DescribeAccountAssignmentCreationStatus), failures with their reason.
// An account's page lists its assignments and removes them.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { PageContext } from '../router';
import { call } from './capi';
import {
  Account, all, ORG, OrgNode, orgTree, PermissionSet, permissionSets, principalId, principalName,
  RequestStatus, SSO, untilDone,
} from './orgs';
import { select } from './policy_editor';
import { act, Caller, consoleFrame, table } from './shell';

// The order of each unit's accounts (the tree holds them whole, so the browser sorts them).
const ACCOUNT_ORDERS: [string, string][] = [
  ['name', 'Name, A to Z'], ['name-desc', 'Name, Z to A'], ['id', 'Account ID, ascending'], ['id-desc', 'Account ID, descending'],
];
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
function ordered(accounts: Account[], order: string): Account[] {
  const byId = order.startsWith('id');
  const sign = order.endsWith('-desc') ? -1 : 1;
  return [...accounts].sort((a, b) => sign * (byId ? collator.compare(a.Id, b.Id) : collator.compare(a.Name ?? a.Id, b.Name ?? b.Id)));
}

function treeList(nodes: OrgNode[], selectable: boolean, order = 'name'): HTMLUListElement {
  return h('ul', { class: 'org-tree' }, ...nodes.map((n) => h('li', {},
    h('span', { class: 'org-unit' }, `${n.kind === 'ROOT' ? 'Root' : 'OU'}: ${n.name} `, h('span', { class: 'hint' }, n.id)),
    n.denied ? h('p', { class: 'hint' }, 'Your policies do not allow listing this unit.') : null,
    h('ul', {}, ...ordered(n.accounts, order).map((a) => h('li', { class: 'org-account' },
      selectable ? h('input', { type: 'checkbox', id: `acct-${a.Id}`, name: 'account', value: a.Id }) : null,
      selectable ? h('label', { for: `acct-${a.Id}` }, `${a.Name ?? a.Id} (${a.Id})`) : `${a.Name ?? a.Id} (${a.Id}) `,
      ' ', h('a', { href: `/portal/console/account?id=${encodeURIComponent(a.Id)}`, 'aria-label': `Details of ${a.Name ?? a.Id}` }, 'Details')))),
    n.units.length ? treeList(n.units, selectable, order) : null)));
}

function radio(name: string, value: string, label: string, checked = false): HTMLElement {
  const id = `${name}-${value}`;
  return h('div', { class: 'field radio' }, h('input', { type: 'radio', id, name, value, checked }), h('label', { for: id }, label));
}

export async function accountsPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'AWS accounts');
  if (!me) return;
  const error = errorRegion();
  const status = statusRegion();
  append(ctx.main, error, status);
  let tree: OrgNode[] = [];
  let sets: PermissionSet[] = [];
  const canAssign = me.may('sso:CreateAccountAssignment');
  const ok = await act(null, error, async () => {
    [tree, sets] = await Promise.all([orgTree(), canAssign ? permissionSets(me.instanceArn) : Promise.resolve([])]);
  });
  if (!ok || ctx.stale()) return;
  const order = select('account-order', 'Sort accounts by', ACCOUNT_ORDERS, 'name');
  let shown = treeList(tree, canAssign);
  order.input.addEventListener('change', () => {
    // Re-rendered in the new order; the accounts already selected stay selected.
    const checked = new Set(Array.from(shown.querySelectorAll<HTMLInputElement>('input[name="account"]:checked')).map((i) => i.value));
    const next = treeList(tree, canAssign, order.input.value);
    for (const box of Array.from(next.querySelectorAll<HTMLInputElement>('input[name="account"]'))) box.checked = checked.has(box.value);
    shown.replaceWith(next);
    shown = next;
    status.textContent = `Accounts sorted by ${ACCOUNT_ORDERS.find(([v]) => v === order.input.value)?.[1] ?? ''}.`;
  });
  const form = h('form', { 'aria-labelledby': 'org-heading' },
    h('h2', { id: 'org-heading' }, 'Organizational structure'),
    h('p', { class: 'hint' }, canAssign ? 'Select the accounts to assign users or groups to.' : ''),
    order.wrapper, shown);
  append(ctx.main, form);
  if (!canAssign) return;
  const progress = h('section', { 'aria-labelledby': 'progress-heading', hidden: true });
  const name = field('assign-principal', 'User name or group name', { maxlength: 1024, autocomplete: 'off', spellcheck: false });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Assign');
  append(form,
    h('h2', {}, 'Assign users or groups'),
    h('fieldset', {}, h('legend', {}, 'Assign a'), radio('assign-type', 'GROUP', 'Group', true), radio('assign-type', 'USER', 'User')),
    name.wrapper,
    h('fieldset', {}, h('legend', {}, 'Permission sets'),
      ...(sets.length ? sets.map((p) => {
        const id = `ps-${p.PermissionSetArn.split('/').pop()}`;
        return h('div', { class: 'field checkbox' }, h('input', { type: 'checkbox', id, name: 'permission-set', value: p.PermissionSetArn }),
          h('label', { for: id }, p.Name));
      }) : [h('p', {}, 'There is no permission set yet. ', h('a', { href: '/portal/console/permission-sets/new' }, 'Create permission set'))])),
    h('div', { class: 'actions' }, submit));
  append(ctx.main, progress);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const checked = (n: string) => Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${n}"]:checked`)).map((i) => i.value);
    const accounts = checked('account');
    const arns = checked('permission-set');
    const type = checked('assign-type')[0] ?? 'GROUP';
    void act(submit, error, async () => {
      if (!accounts.length) throw new Error('Select at least one account.');
      if (!arns.length) throw new Error('Select at least one permission set.');
      const pid = await principalId(me.storeId, type, name.input.value.trim());
      await assign(me, ctx, progress, status, accounts, arns, type, pid, name.input.value.trim(), sets);
    });
  });
}

// One CreateAccountAssignment per account and permission set, then each request's status until
// it leaves IN_PROGRESS; the table and the progress bar show every state as it comes.
async function assign(me: Caller, ctx: PageContext, section: HTMLElement, status: HTMLElement, accounts: string[],
  arns: string[], type: string, pid: string, who: string, sets: PermissionSet[]): Promise<void> {
  const psName = (arn: string) => sets.find((p) => p.PermissionSetArn === arn)?.Name ?? arn;
  const jobs = accounts.flatMap((a) => arns.map((p) => ({ account: a, arn: p })));
  const bar = h('progress', { max: jobs.length, value: 0, 'aria-labelledby': 'progress-heading' });
  const cells = jobs.map(() => ({ state: h('td', {}, 'Requested'), reason: h('td', {}, '') }));
  section.hidden = false;
  section.replaceChildren(h('h2', { id: 'progress-heading' }, 'Assignment status'), bar,
    h('table', {}, h('caption', {}, `Assignments of ${who}`),
      h('thead', {}, h('tr', {}, ...['Account', 'Permission set', 'Status', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...jobs.map((j, i) => h('tr', {}, h('td', {}, j.account), h('td', {}, psName(j.arn)), cells[i].state, cells[i].reason)))));
  let done = 0;
  let failed = 0;
  status.textContent = `Provisioning ${jobs.length} assignments...`;
  await Promise.all(jobs.map(async (j, i) => {
    const show = (s: RequestStatus) => {
      cells[i].state.textContent = s.Status === 'SUCCEEDED' ? 'Provisioned' : s.Status === 'FAILED' ? 'Failed' : 'In progress';
      cells[i].reason.textContent = s.FailureReason ?? '';
    };
    let final: RequestStatus;
    try {
      const made = await call<{ AccountAssignmentCreationStatus: RequestStatus }>(`${SSO}.CreateAccountAssignment`, {
        InstanceArn: me.instanceArn, TargetId: j.account, TargetType: 'AWS_ACCOUNT', PermissionSetArn: j.arn,
        PrincipalType: type, PrincipalId: pid });
      show(made.AccountAssignmentCreationStatus);
      final = made.AccountAssignmentCreationStatus.Status !== 'IN_PROGRESS' ? made.AccountAssignmentCreationStatus
        : await untilDone(async () => (await call<{ AccountAssignmentCreationStatus: RequestStatus }>(
          `${SSO}.DescribeAccountAssignmentCreationStatus`, { InstanceArn: me.instanceArn,
            AccountAssignmentCreationRequestId: made.AccountAssignmentCreationStatus.RequestId })).AccountAssignmentCreationStatus,
        show, ctx.stale);
    } catch (err) {
      final = { Status: 'FAILED', RequestId: '', FailureReason: err instanceof Error ? err.message : String(err) };
      show(final);
    }
    if (final.Status !== 'IN_PROGRESS') done += 1;
    if (final.Status === 'FAILED') failed += 1;
    bar.value = done;
  }));
  status.textContent = failed ? `${done - failed} of ${jobs.length} assignments provisioned; ${failed} failed.`
    : `All ${jobs.length} assignments provisioned.`;
}

interface Assignment { AccountId: string; PermissionSetArn: string; PrincipalType: string; PrincipalId: string }

export async function accountPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'AWS account');
  if (!me) return;
  const id = ctx.params.get('id') ?? '';
  const error = errorRegion();
  const status = statusRegion();
  append(ctx.main, error, status);
  let account: Account | undefined;
  await act(null, error, async () => {
    account = (await call<{ Account: Account }>(`${ORG}.DescribeAccount`, { AccountId: id })).Account;
  });
  if (!account || ctx.stale()) return;
  (ctx.main.querySelector('h1') as HTMLElement).textContent = `AWS account ${account.Name ?? account.Id}`;
  const row = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v || '-')];
  const list = h('section', { 'aria-labelledby': 'assignments-heading' }, h('h2', { id: 'assignments-heading' }, 'Assigned users and groups'));
  append(ctx.main, h('dl', { class: 'details' }, ...row('Account ID', account.Id), ...row('Name', account.Name ?? ''),
    ...row('Email', account.Email ?? ''), ...row('Status', account.Status ?? '')), list,
  h('p', {}, h('a', { href: '/portal/console/accounts' }, 'All AWS accounts')));
  const acct = account;

  async function load(): Promise<void> {
    await act(null, error, async () => {
      const sets = await permissionSets(me!.instanceArn);
      const found = (await Promise.all(sets.map((p) => all<Assignment>(`${SSO}.ListAccountAssignments`,
        { InstanceArn: me!.instanceArn, AccountId: acct.Id, PermissionSetArn: p.PermissionSetArn, MaxResults: 100 },
        'AccountAssignments')))).flat();
      const rows = await Promise.all(found.map(async (a) => {
        const who = await principalName(me!.storeId, a.PrincipalType, a.PrincipalId);
        const ps = sets.find((p) => p.PermissionSetArn === a.PermissionSetArn)?.Name ?? a.PermissionSetArn;
        const cells: (Node | string)[] = [who, a.PrincipalType === 'USER' ? 'User' : 'Group', ps];
        if (me!.may('sso:DeleteAccountAssignment')) {
          const rm = button('Remove', { class: 'danger', 'aria-label': `Remove access of ${who} with ${ps}` });
          rm.addEventListener('click', () => {
            // The guide's "Remove user access": the principal loses the role in this account.
            if (!confirm(`Remove the access of ${who} to ${acct.Name ?? acct.Id} with ${ps}?`)) return;
            void act(rm, error, async () => {
              const r = await call<{ AccountAssignmentDeletionStatus: RequestStatus }>(`${SSO}.DeleteAccountAssignment`, {
                InstanceArn: me!.instanceArn, TargetId: acct.Id, TargetType: 'AWS_ACCOUNT', PermissionSetArn: a.PermissionSetArn,
                PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalId });
              status.textContent = `Removing the access of ${who}...`;
              const s = await untilDone(async () => (await call<{ AccountAssignmentDeletionStatus: RequestStatus }>(
                `${SSO}.DescribeAccountAssignmentDeletionStatus`, { InstanceArn: me!.instanceArn,
                  AccountAssignmentDeletionRequestId: r.AccountAssignmentDeletionStatus.RequestId })).AccountAssignmentDeletionStatus,
              () => undefined, ctx.stale);
              status.textContent = s.Status === 'SUCCEEDED' ? `The access of ${who} was removed.`
                : `Removing the access of ${who}: ${s.Status} ${s.FailureReason ?? ''}`;
              await load();
            });
          });
          cells.push(rm);
        }
        return cells;
      }));
      const headers = ['User or group', 'Type', 'Permission set'];
      if (me!.may('sso:DeleteAccountAssignment')) headers.push('Actions');
      list.replaceChildren(h('h2', { id: 'assignments-heading' }, 'Assigned users and groups'),
        rows.length ? table(`Assignments of ${acct.Name ?? acct.Id}`, headers, rows)
          : h('p', {}, 'No user or group is assigned to this account.'));
    });
  }
  await load();
}
