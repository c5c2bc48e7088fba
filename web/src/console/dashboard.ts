// The console's dashboard (the guide's "Dashboard" and "Settings summary"): the identity
// source, the AWS access portal URL, automatic provisioning (SCIM) with tokens near expiry,
// the first page's counts, and certificates near expiry.

import { append, errorRegion, h } from '../dom';
import { PageContext } from '../router';
import { call } from './capi';
import { act, consoleFrame, table } from './shell';

interface Provisioning { Enabled?: boolean; ScimEndpoint?: string; Status?: string }
interface Token { TokenId: string; CreatedAt?: number; ExpiresAt?: number; ExpiresSoon?: boolean }
interface Idp { EntityId: string; Certificates?: { Subject?: string; NotAfter?: string }[] }
interface Source { IdentitySource: string; ExternalIdPs?: Idp[] }

const SOON_MS = 90 * 24 * 3600 * 1000;  // the guide warns 90 days before a token or certificate expires

function asDate(v: string | number | undefined): Date | null {
  if (v === undefined) return null;
  const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export async function dashboardPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Dashboard');
  if (!me) return;
  const error = errorRegion();
  const facts = h('dl', { class: 'details' });
  const fact = (k: string, v: string | Node) => append(facts, h('dt', {}, k), h('dd', {}, v));
  append(ctx.main, error, facts);
  const portal = `${location.origin}/portal`;
  fact('AWS access portal URL', h('a', { href: '/portal/' }, portal));
  fact('Identity store ID', me.storeId);
  fact('Instance ARN', me.instanceArn);
  const expiring: (string | Node)[][] = [];
  if (me.may('sso-directory:DescribeIdentitySource')) {
    await act(null, error, async () => {
      const s = await call<Source>('AtriumAdmin.DescribeIdentitySource');
      fact('Identity source', s.IdentitySource === 'EXTERNAL_IDP' ? 'External identity provider' : 'Identity Center directory');
      for (const idp of s.ExternalIdPs ?? [])
        for (const c of idp.Certificates ?? []) {
          const d = asDate(c.NotAfter);
          if (d && d.getTime() - Date.now() < SOON_MS)
            expiring.push([`IdP certificate of ${idp.EntityId}`, d.toISOString().slice(0, 10)]);
        }
    });
  }
  if (me.may('sso-directory:DescribeAutomaticProvisioning')) {
    await act(null, error, async () => {
      const p = await call<Provisioning>('AtriumAdmin.DescribeAutomaticProvisioning');
      fact('Automatic provisioning (SCIM)', p.Enabled ? `Enabled (${p.ScimEndpoint ?? ''})` : 'Disabled');
      if (p.Enabled && me.may('sso-directory:ListScimAccessTokens')) {
        const t = await call<{ AccessTokens?: Token[] }>('AtriumAdmin.ListScimAccessTokens');
        // ExpiresSoon: the server's own rule (the guide's 90-day notice).
        for (const tok of t.AccessTokens ?? [])
          if (tok.ExpiresSoon) expiring.push([`SCIM token ${tok.TokenId}`, asDate(tok.ExpiresAt)?.toISOString().slice(0, 10) ?? '']);
      }
    });
  }
  if (me.may('identitystore:ListUsers')) {
    await act(null, error, async () => {
      const u = await call<{ Users: unknown[]; NextToken?: string }>('AWSIdentityStore.ListUsers',
        { IdentityStoreId: me.storeId, MaxResults: 100 });
      fact('Users', u.NextToken ? 'more than 100' : String(u.Users.length));
      const g = await call<{ Groups: unknown[]; NextToken?: string }>('AWSIdentityStore.ListGroups',
        { IdentityStoreId: me.storeId, MaxResults: 100 });
      fact('Groups', g.NextToken ? 'more than 100' : String(g.Groups.length));
    });
  }
  append(ctx.main, expiring.length
    ? table('Tokens and certificates that expire within 90 days', ['What', 'Expires'], expiring)
    : h('p', { class: 'status' }, 'No token or certificate expires within 90 days.'));
}
