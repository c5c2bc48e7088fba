// The console's frame: the portal session (sign-in if there is none), the caller's console
// access (AtriumConsole.DescribeCaller), and the console navigation, which offers only the
// pages whose actions the caller's policies allow.

import { append, clear, h, heading } from '../dom';
import { PageContext } from '../router';
import { requireSession } from '../session';
import { call, ConsoleError, errorText } from './capi';

// The actions the console's pages and buttons need; DescribeCaller answers which are allowed.
export const ACTIONS = [
  'identitystore:ListUsers', 'sso-directory:SearchUsers', 'sso-directory:SearchGroups',
  'sso-directory:ListMembersInGroup', 'sso-directory:AddMemberToGroup', 'sso-directory:RemoveMemberFromGroup', 'identitystore:CreateUser', 'identitystore:UpdateUser', 'identitystore:DeleteUser',
  'identitystore:ListGroups', 'identitystore:CreateGroup', 'identitystore:DeleteGroup',
  'identitystore:CreateGroupMembership', 'identitystore:DeleteGroupMembership',
  'identitystore:ListGroupMembershipsForMember', 'identitystore:ListGroupMemberships',
  'sso-directory:DisableUser', 'sso-directory:EnableUser', 'sso-directory:DescribeIdentitySource',
  'sso-directory:DescribeAutomaticProvisioning', 'sso-directory:EnableAutomaticProvisioning',
  'sso-directory:CreateScimAccessToken', 'sso-directory:ListScimAccessTokens', 'sso-directory:DeleteScimAccessToken',
  'sso:GetMfaDeviceManagementForDirectory', 'sso:PutMfaDeviceManagementForDirectory',
  'cloudtrail:LookupEvents',
  'sso-directory:ListMfaDevicesForUser', 'sso-directory:DeleteMfaDeviceForUser',
  'sso-directory:SendPasswordResetEmail', 'sso-directory:GenerateOneTimePassword',
  'organizations:ListRoots', 'organizations:DescribeAccount',
  'sso:ListPermissionSets', 'sso:CreatePermissionSet', 'sso:UpdatePermissionSet', 'sso:ProvisionPermissionSet',
  'sso:CreateAccountAssignment', 'sso:DeleteAccountAssignment', 'sso:ListAccountAssignmentsForPrincipal',
  'sso:DescribeInstanceAccessControlAttributeConfiguration', 'sso:CreateInstanceAccessControlAttributeConfiguration',
  'sso:DeleteConfiguration', 'sso:GetPortalSessionSettings', 'sso:UpdatePortalSessionSettings',
  'sso:ListApplications', 'sso:CreateApplication', 'sso:UpdateApplicationInstanceResponseConfiguration', 'sso:CreateApplicationAssignment',
] as const;

export type Action = typeof ACTIONS[number];

export interface Caller {
  userId: string;
  userName: string;
  storeId: string;
  instanceArn: string;
  may: (action: Action) => boolean;
}

interface Described {
  UserId: string;
  UserName: string;
  IdentityStoreId: string;
  InstanceArn: string;
  Allowed: Record<string, boolean>;
}

const PAGES: { href: string; text: string; needs: Action }[] = [
  { href: '/portal/console', text: 'Dashboard', needs: 'sso-directory:DescribeIdentitySource' },
  { href: '/portal/console/users', text: 'Users', needs: 'identitystore:ListUsers' },
  { href: '/portal/console/groups', text: 'Groups', needs: 'identitystore:ListGroups' },
  { href: '/portal/console/accounts', text: 'AWS accounts', needs: 'organizations:ListRoots' },
  { href: '/portal/console/permission-sets', text: 'Permission sets', needs: 'sso:ListPermissionSets' },
  { href: '/portal/console/applications', text: 'Applications', needs: 'sso:ListApplications' },
  { href: '/portal/console/settings', text: 'Settings', needs: 'sso-directory:DescribeAutomaticProvisioning' },
  { href: '/portal/console/audit', text: 'Audit', needs: 'cloudtrail:LookupEvents' },
];

// Resolves to the caller, or renders why there is no console and resolves to null.
export async function consoleFrame(ctx: PageContext, title: string): Promise<Caller | null> {
  const s = await requireSession(ctx);
  if (!s || ctx.stale()) return null;
  let d: Described;
  try {
    d = await call<Described>('AtriumConsole.DescribeCaller', { Actions: [...ACTIONS] });
  } catch (err) {
    if (ctx.stale()) return null;
    clear(ctx.main);
    const denied = err instanceof ConsoleError && err.type === 'AccessDeniedException';
    append(ctx.main, heading(denied ? 'No console access' : 'Admin console'),
      h('p', { class: 'error', role: 'alert' }, denied
        ? 'Your user has no console access. An administrator can grant it (atrium admin console-access grant).'
        : errorText(err)),
      h('p', {}, h('a', { href: '/portal/' }, 'Back to the portal')));
    return null;
  }
  if (ctx.stale()) return null;
  const caller: Caller = {
    userId: d.UserId, userName: d.UserName, storeId: d.IdentityStoreId, instanceArn: d.InstanceArn,
    may: (a) => d.Allowed[a] === true,
  };
  const here = location.pathname.replace(/\/+$/, '');
  const nav = h('nav', { 'aria-label': 'Console', class: 'console-nav' },
    h('ul', {}, ...PAGES.filter((p) => caller.may(p.needs)).map((p) =>
      h('li', {}, h('a', { href: p.href, 'aria-current': here === p.href ? 'page' : null }, p.text)))));
  clear(ctx.main);
  append(ctx.main, nav, heading(title));
  return caller;
}

// A table with a caption and header cells; rows are arrays of cells. Every column heading is a
// button that sorts by it (again: the other way); aria-sort on the heading says the order, so a
// screen reader announces it, and the button keeps the focus. Without `onSort` the rows are
// sorted here (lists the console holds whole: accounts of an OU, permission sets, applications,
// a page of audit records); with it the server sorts (users, groups: paged over large sets) and
// the caller reloads in the order asked for.
export interface Sort { column: number; descending: boolean }
export interface TableOptions {
  sort?: Sort;
  onSort?: (next: Sort) => void;
  sortable?: boolean[];  // per column; default every column but Actions and Record
}

function cellText(c: Node | string): string {
  return (typeof c === 'string' ? c : c.textContent ?? '').trim();
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
const UNSORTED = ['Actions', 'Record'];

export function table(caption: string, headers: string[], rows: (Node | string)[][], opts: TableOptions = {}): HTMLTableElement {
  let sort = opts.sort;
  const tbody = h('tbody', {});
  const cells = headers.map((t, i) => {
    // Columns of buttons (Actions, an audit record's JSON) have nothing to sort by.
    const can = opts.sortable ? opts.sortable[i] : !UNSORTED.includes(t);
    if (!can) return { th: h('th', { scope: 'col' }, t), mark: null };
    const mark = h('span', { class: 'sort-mark', 'aria-hidden': 'true' });
    const btn = h('button', { type: 'button', class: 'sort' }, t, mark);
    btn.addEventListener('click', () => {
      const next = { column: i, descending: sort?.column === i ? !sort.descending : false };
      if (opts.onSort) { opts.onSort(next); return; }
      sort = next;
      render();
      btn.focus();
    });
    return { th: h('th', { scope: 'col' }, btn), mark };
  });
  function render(): void {
    cells.forEach((c, i) => {
      if (!c.mark) return;
      const on = sort?.column === i;
      c.th.setAttribute('aria-sort', on ? (sort?.descending ? 'descending' : 'ascending') : 'none');
      c.mark.textContent = on ? (sort?.descending ? ' \u25BC' : ' \u25B2') : '';
    });
    let ordered = rows;
    if (sort && !opts.onSort) {
      const { column, descending } = sort;
      ordered = [...rows].sort((a, b) => collator.compare(cellText(a[column] ?? ''), cellText(b[column] ?? '')) * (descending ? -1 : 1));
    }
    tbody.replaceChildren(...ordered.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c)))));
  }
  render();
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...cells.map((c) => c.th))),
    tbody);
}

// Runs an action from a button: disables it meanwhile, shows the outcome in `status`/`error`.
export async function act(btn: HTMLButtonElement | null, error: HTMLElement, fn: () => Promise<void>): Promise<boolean> {
  if (btn) btn.disabled = true;
  error.textContent = '';
  try {
    await fn();
    return true;
  } catch (err) {
    error.textContent = errorText(err);
    return false;
  } finally {
    if (btn) btn.disabled = false;
  }
}
