// What the AWS accounts and permission sets pages share: the organization's tree (organizations
// ListRoots / ListOrganizationalUnitsForParent / ListAccountsForParent), every page of a paged
// list, names of permission sets and principals, and the polling of an sso-admin request's
// status (the guide: "assignment status while it provisions").

import { call, ConsoleError } from './capi';

export const ORG = 'AWSOrganizationsV20161128';
export const SSO = 'SWBExternalService';
export const IDS = 'AWSIdentityStore';

export interface Account { Id: string; Name?: string; Email?: string; Status?: string }
export interface Unit { Id: string; Name?: string }
// `denied`: the administrator's policies do not allow listing this parent (a delegated
// administrator of another OU); its accounts are not shown.
export interface OrgNode { id: string; name: string; kind: 'ROOT' | 'OU'; units: OrgNode[]; accounts: Account[]; denied?: string }

// Every page of a list operation (NextToken), at most `limit` items: the console's lists are
// short (accounts of an OU, permission sets of the instance).
export async function all<T>(target: string, body: Record<string, unknown>, key: string, limit = 1000): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await call<Record<string, unknown>>(target, token ? { ...body, NextToken: token } : body);
    out.push(...((page[key] as T[] | undefined) ?? []));
    token = page.NextToken as string | undefined;
  } while (token && out.length < limit);
  return out;
}

async function node(id: string, name: string, kind: 'ROOT' | 'OU'): Promise<OrgNode> {
  let denied: string | undefined;
  const allowed = <T>(p: Promise<T[]>) => p.catch((err: unknown) => {
    if (!(err instanceof ConsoleError && err.type === 'AccessDeniedException')) throw err;
    denied = err.message;
    return [] as T[];
  });
  const [units, accounts] = await Promise.all([
    allowed(all<Unit>(`${ORG}.ListOrganizationalUnitsForParent`, { ParentId: id }, 'OrganizationalUnits')),
    allowed(all<Account>(`${ORG}.ListAccountsForParent`, { ParentId: id }, 'Accounts')),
  ]);
  return { id, name, kind, accounts, denied, units: await Promise.all(units.map((u) => node(u.Id, u.Name ?? u.Id, 'OU'))) };
}

export async function orgTree(): Promise<OrgNode[]> {
  const roots = await all<{ Id: string; Name?: string }>(`${ORG}.ListRoots`, {}, 'Roots');
  return Promise.all(roots.map((r) => node(r.Id, r.Name ?? 'Root', 'ROOT')));
}

export interface PermissionSet {
  PermissionSetArn: string; Name: string; Description?: string; SessionDuration?: string; RelayState?: string;
  CreatedDate?: number;
}

export async function permissionSets(instance: string): Promise<PermissionSet[]> {
  const arns = await all<string>(`${SSO}.ListPermissionSets`, { InstanceArn: instance, MaxResults: 100 }, 'PermissionSets');
  const sets = await Promise.all(arns.map((arn) => call<{ PermissionSet: PermissionSet }>(
    `${SSO}.DescribePermissionSet`, { InstanceArn: instance, PermissionSetArn: arn })));
  return sets.map((s) => s.PermissionSet).sort((a, b) => a.Name.localeCompare(b.Name));
}

// A principal's name for display: the user name or the group's display name.
export async function principalName(store: string, type: string, id: string): Promise<string> {
  try {
    if (type === 'USER') return (await call<{ UserName: string }>(`${IDS}.DescribeUser`, { IdentityStoreId: store, UserId: id })).UserName;
    return (await call<{ DisplayName?: string }>(`${IDS}.DescribeGroup`, { IdentityStoreId: store, GroupId: id })).DisplayName ?? id;
  } catch {
    return id;  // deleted meanwhile, or not readable by this administrator
  }
}

export async function principalId(store: string, type: string, name: string): Promise<string> {
  if (type === 'USER') {
    return (await call<{ UserId: string }>(`${IDS}.GetUserId`, { IdentityStoreId: store,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'UserName', AttributeValue: name } } })).UserId;
  }
  return (await call<{ GroupId: string }>(`${IDS}.GetGroupId`, { IdentityStoreId: store,
    AlternateIdentifier: { UniqueAttribute: { AttributePath: 'DisplayName', AttributeValue: name } } })).GroupId;
}

export interface RequestStatus {
  Status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED'; RequestId: string; FailureReason?: string;
  TargetId?: string; AccountId?: string; PermissionSetArn?: string; PrincipalType?: string; PrincipalId?: string;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Polls Describe*Status until the request leaves IN_PROGRESS (every 0.5 s, then every 2 s after
// 10 s); `seen` is told each state so the page can show progress. Gives up after 5 minutes and
// leaves the request IN_PROGRESS on the page (it keeps running at the server).
export async function untilDone(describe: () => Promise<RequestStatus>, seen: (s: RequestStatus) => void,
  stale: () => boolean): Promise<RequestStatus> {
  const start = Date.now();
  for (;;) {
    const s = await describe();
    seen(s);
    if (s.Status !== 'IN_PROGRESS' || stale() || Date.now() - start > 300000) return s;
    await wait(Date.now() - start < 10000 ? 500 : 2000);
  }
}
