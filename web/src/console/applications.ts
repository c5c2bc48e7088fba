// Applications (the user guide's "Add and configure an application": a catalog application or a
// custom SAML 2.0 one, the service provider's metadata or its ACS URL and entity ID, the IdP's
// certificates with their expiry, and who is assigned). sso-admin's application operations and
// the AtriumAdmin SAML settings (docs/applications.md), nothing else.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { navigate, PageContext } from '../router';
import { call } from './capi';
import { all, principalId, principalName, SSO } from './orgs';
import { select } from './policy_editor';
import { certificatesSection, Cert, Mapping, mappingsSection, ResponseConfig, responseSection } from './application_saml';
import { act, consoleFrame, table } from './shell';

const CUSTOM = 'arn:aws:sso::aws:applicationProvider/custom-saml';

interface App { ApplicationArn: string; Name: string; Status?: string; ApplicationProviderArn?: string; Description?: string }
interface Provider { ApplicationProviderArn: string; DisplayData?: { DisplayName?: string } }
interface Instance {
  ApplicationArn: string; Name: string; Status: string; ApplicationProviderArn: string;
  ServiceProviderConfig: { EntityId?: string; AcsUrls?: { Url?: string }[] | string[] };
  IdentityProvider: { EntityId: string; SsoUrl: string; MetadataUrl: string };
  Certificates: Cert[];
  ResponseConfig: ResponseConfig;
  ResponseSchemaConfig: { AttributeMappings: Mapping[] };
}

const appLink = (a: App) => h('a', { href: `/portal/console/application?arn=${encodeURIComponent(a.ApplicationArn)}` }, a.Name);

export async function applicationsPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Applications');
  if (!me) return;
  const error = errorRegion();
  append(ctx.main, error);
  let providers: Provider[] = [];
  await act(null, error, async () => {
    const [apps, provs] = await Promise.all([
      all<App>(`${SSO}.ListApplications`, { InstanceArn: me.instanceArn }, 'Applications'),
      me.may('sso:CreateApplication') ? all<Provider>(`${SSO}.ListApplicationProviders`, {}, 'ApplicationProviders') : Promise.resolve([]),
    ]);
    providers = provs;
    if (ctx.stale()) return;
    append(ctx.main, apps.length
      ? table('Applications', ['Name', 'Status', 'Type'], apps.map((a) => [appLink(a), a.Status ?? '',
        a.ApplicationProviderArn === CUSTOM ? 'Custom SAML 2.0' : 'Catalog']))
      : h('p', {}, 'There is no application yet.'));
  });
  if (!me.may('sso:CreateApplication') || ctx.stale()) return;
  const provider = select('app-provider', 'Application type', [[CUSTOM, 'Custom SAML 2.0 application'],
    ...providers.filter((p) => p.ApplicationProviderArn !== CUSTOM)
      .map((p): [string, string] => [p.ApplicationProviderArn, p.DisplayData?.DisplayName ?? p.ApplicationProviderArn])], CUSTOM);
  const name = field('app-name', 'Display name', { maxlength: 255 });
  const metadata = h('input', { type: 'file', id: 'app-metadata', name: 'app-metadata', accept: '.xml,application/xml,text/xml' });
  const entity = field('app-entity', 'Application SAML audience (entity ID)', { required: false, maxlength: 1024, spellcheck: false });
  const acs = field('app-acs', 'Application ACS URL', { required: false, type: 'url', maxlength: 1024 });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Submit');
  const form = h('form', { 'aria-labelledby': 'add-app-heading' }, h('h2', { id: 'add-app-heading' }, 'Add application'),
    provider.wrapper, name.wrapper,
    h('fieldset', {}, h('legend', {}, 'Application metadata (the service provider\'s)'),
      h('div', { class: 'field' }, h('label', { for: 'app-metadata' }, 'Metadata file'), metadata),
      h('p', { class: 'hint' }, 'Or type the values:'), entity.wrapper, acs.wrapper),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, error, async () => {
      const made = await call<{ ApplicationArn: string }>(`${SSO}.CreateApplication`, {
        InstanceArn: me.instanceArn, ApplicationProviderArn: provider.input.value, Name: name.input.value.trim() });
      const file = metadata.files?.[0];
      if (file) {
        await call('AtriumAdmin.ImportApplicationInstanceServiceProvider', { ApplicationArn: made.ApplicationArn, Metadata: await file.text() });
      } else if (entity.input.value.trim() || acs.input.value.trim()) {
        await call('AtriumAdmin.UpdateApplicationInstanceServiceProviderConfiguration', { ApplicationArn: made.ApplicationArn,
          ServiceProviderConfig: { EntityId: entity.input.value.trim(), AcsUrls: [acs.input.value.trim()] } });
      }
      await navigate(`/portal/console/application?arn=${encodeURIComponent(made.ApplicationArn)}&created=1`);
    });
  });
  append(ctx.main, form);
}

export async function applicationPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Application');
  if (!me) return;
  const arn = ctx.params.get('arn') ?? '';
  const error = errorRegion();
  const status = statusRegion();
  append(ctx.main, error, status);
  let app: Instance | undefined;
  await act(null, error, async () => {
    app = (await call<{ ApplicationInstance: Instance }>('AtriumAdmin.GetApplicationInstance', { ApplicationArn: arn })).ApplicationInstance;
  });
  if (!app || ctx.stale()) return;
  const a = app;
  if (ctx.params.get('created')) status.textContent = `Application ${a.Name} was added.`;
  (ctx.main.querySelector('h1') as HTMLElement).textContent = `Application ${a.Name}`;
  const acsUrls = (a.ServiceProviderConfig.AcsUrls ?? []).map((u) => (typeof u === 'string' ? u : u.Url ?? '')).join(', ');
  const row = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v || '-')];
  // The SAML settings change with sso:UpdateApplicationInstance* in the caller's policies (the service
  // console's own action for them); the operations themselves are each checked anyway.
  const canEdit = me.may('sso:UpdateApplicationInstanceResponseConfiguration');
  const assigned = h('section', { 'aria-labelledby': 'app-assign-heading' });
  append(ctx.main, h('dl', { class: 'details' }, ...row('Status', a.Status), ...row('Application ARN', a.ApplicationArn),
    ...row('Application SAML audience', a.ServiceProviderConfig.EntityId ?? ''), ...row('Application ACS URL', acsUrls),
    ...row('IAM Identity Center SAML issuer URL', a.IdentityProvider.EntityId), ...row('IAM Identity Center sign-in URL', a.IdentityProvider.SsoUrl),
    ...row('IAM Identity Center SAML metadata file', a.IdentityProvider.MetadataUrl)),
  responseSection(a.ApplicationArn, a.ResponseConfig, canEdit, { error, status }),
  mappingsSection(a.ApplicationArn, a.ResponseSchemaConfig.AttributeMappings, canEdit, { error, status }),
  await certificatesSection(a.ApplicationArn, canEdit, { error, status }),
  assigned, h('p', {}, h('a', { href: '/portal/console/applications' }, 'All applications')));

  async function loadAssignments(): Promise<void> {
    await act(null, error, async () => {
      const rows = await all<{ PrincipalType: string; PrincipalId: string }>(`${SSO}.ListApplicationAssignments`,
        { ApplicationArn: a.ApplicationArn }, 'ApplicationAssignments');
      const canChange = me!.may('sso:CreateApplicationAssignment');
      const cells = await Promise.all(rows.map(async (r) => {
        const who = await principalName(me!.storeId, r.PrincipalType, r.PrincipalId);
        const out: (Node | string)[] = [who, r.PrincipalType === 'USER' ? 'User' : 'Group'];
        if (canChange) {
          const rm = button('Remove', { class: 'danger', 'aria-label': `Remove the assignment of ${who}` });
          rm.addEventListener('click', () => {
            if (!confirm(`Remove ${who} from ${a.Name}?`)) return;
            void act(rm, error, async () => {
              await call(`${SSO}.DeleteApplicationAssignment`, { ApplicationArn: a.ApplicationArn, ...r });
              status.textContent = `${who} was removed.`;
              await loadAssignments();
            });
          });
          out.push(rm);
        }
        return out;
      }));
      const who = field('app-assign-name', 'User name or group name', { maxlength: 1024, autocomplete: 'off', spellcheck: false });
      const type = select('app-assign-type', 'Assign a', [['GROUP', 'Group'], ['USER', 'User']], 'GROUP');
      const add = h('button', { type: 'submit' }, 'Assign');
      assigned.replaceChildren(h('h2', { id: 'app-assign-heading' }, 'Assigned users and groups'),
        cells.length ? table(`Assignments of ${a.Name}`, canChange ? ['User or group', 'Type', 'Actions'] : ['User or group', 'Type'], cells)
          : h('p', {}, 'No user or group is assigned.'),
        canChange ? h('form', { class: 'inline', onsubmit: (e: Event) => {
          e.preventDefault();
          void act(add, error, async () => {
            const id = await principalId(me!.storeId, type.input.value, who.input.value.trim());
            await call(`${SSO}.CreateApplicationAssignment`, { ApplicationArn: a.ApplicationArn, PrincipalType: type.input.value, PrincipalId: id });
            status.textContent = `${who.input.value.trim()} was assigned.`;
            await loadAssignments();
          });
        } }, type.wrapper, who.wrapper, add) : '');
    });
  }
  await loadAssignments();
}
