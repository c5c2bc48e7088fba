// Permission sets (the user guide's "Create a permission set", "Set session duration", "Set
// relay state"): the list; create from a job function policy or custom (AWS managed policies,
// customer managed policies, an inline policy in a checked JSON editor, a permissions boundary,
// session duration, relay state, tags); a permission set's policies, its provisioning status per
// account and "Reprovision" (ProvisionPermissionSet), each through the sso-admin operations.

import { append, button, errorRegion, field, h, statusRegion } from '../dom';
import { navigate, PageContext } from '../router';
import { call } from './capi';
import { all, PermissionSet, permissionSets, RequestStatus, SSO, untilDone } from './orgs';
import {
  customerPolicy, DURATIONS, JOB_FUNCTIONS, lines, policyEditor, select, tags, textArea,
} from './policy_editor';
import { act, consoleFrame, table } from './shell';

const psLink = (p: PermissionSet) => h('a', { href: `/portal/console/permission-set?arn=${encodeURIComponent(p.PermissionSetArn)}` }, p.Name);
const hours = (d?: string) => DURATIONS.find(([v]) => v === d)?.[1] ?? d ?? '1 hour';

export async function permissionSetsPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Permission sets');
  if (!me) return;
  const error = errorRegion();
  append(ctx.main, me.may('sso:CreatePermissionSet')
    ? h('p', {}, h('a', { href: '/portal/console/permission-sets/new', class: 'button-link' }, 'Create permission set')) : null, error);
  await act(null, error, async () => {
    const sets = await permissionSets(me.instanceArn);
    if (ctx.stale()) return;
    append(ctx.main, sets.length
      ? table('Permission sets', ['Name', 'Description', 'Session duration'], sets.map((p) => [psLink(p), p.Description ?? '', hours(p.SessionDuration)]))
      : h('p', {}, 'There is no permission set yet.'));
  });
}

function radio(name: string, value: string, label: string, checked: boolean): HTMLElement {
  const id = `${name}-${value}`;
  return h('div', { class: 'field radio' }, h('input', { type: 'radio', id, name, value, checked }), h('label', { for: id }, label));
}

export async function newPermissionSetPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Create permission set');
  if (!me) return;
  const error = errorRegion();
  const status = statusRegion();
  const job = select('ps-job', 'Job function policy', JOB_FUNCTIONS.map(([n]) => [n, n]), 'AdministratorAccess');
  const name = field('ps-name', 'Permission set name', { maxlength: 32, pattern: '[\\w+=,.@\\-]+', value: 'AdministratorAccess',
    hint: 'Up to 32 letters, digits and +=,.@-_. Users see it as the role name in the portal.' });
  const desc = field('ps-description', 'Description', { required: false, maxlength: 700 });
  const duration = select('ps-duration', 'Session duration', DURATIONS, 'PT1H');
  const relay = field('ps-relay', 'Relay state', { required: false, maxlength: 240, type: 'url',
    hint: 'Optional: the console address users land on, for example https://s3.console.aws.amazon.com/s3/home' });
  const managed = h('fieldset', { class: 'custom-only' }, h('legend', {}, 'AWS managed policies'),
    ...JOB_FUNCTIONS.map(([n, arn]) => h('div', { class: 'field checkbox' },
      h('input', { type: 'checkbox', id: `mp-${n}`, name: 'managed', value: arn }), h('label', { for: `mp-${n}` }, n))));
  const otherManaged = textArea('ps-managed-other', 'Other AWS managed policy ARNs', 'One ARN a line, for example arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess.');
  const customer = textArea('ps-customer', 'Customer managed policies', 'One policy name a line, with its path if it has one (/team/S3Access).');
  const inline = policyEditor('ps-inline', 'Inline policy (JSON)');
  const boundaryManaged = field('ps-boundary-arn', 'Permissions boundary: AWS managed policy ARN', { required: false, maxlength: 2048 });
  const boundaryCustomer = field('ps-boundary-name', 'Permissions boundary: customer managed policy name', { required: false, maxlength: 512 });
  const tagArea = textArea('ps-tags', 'Tags', 'One key=value a line.');
  const custom = h('div', { class: 'custom-only' }, otherManaged.wrapper, customer.wrapper, inline.wrapper,
    h('fieldset', {}, h('legend', {}, 'Permissions boundary (optional)'), boundaryManaged.wrapper, boundaryCustomer.wrapper));
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create');
  const form = h('form', {},
    h('fieldset', {}, h('legend', {}, 'Permission set type'),
      radio('ps-type', 'predefined', 'Predefined permission set (a job function policy)', true),
      radio('ps-type', 'custom', 'Custom permission set', false)),
    h('div', { class: 'predefined-only' }, job.wrapper),
    name.wrapper, desc.wrapper, duration.wrapper, relay.wrapper, managed, custom, tagArea.wrapper, error, status,
    h('div', { class: 'actions' }, submit));
  const predefined = () => (form.querySelector('input[name="ps-type"]:checked') as HTMLInputElement).value === 'predefined';
  const showType = () => {
    form.querySelectorAll<HTMLElement>('.custom-only').forEach((el) => { el.hidden = predefined(); });
    form.querySelectorAll<HTMLElement>('.predefined-only').forEach((el) => { el.hidden = !predefined(); });
  };
  form.addEventListener('change', showType);
  job.input.addEventListener('change', () => { name.input.value = job.input.value; });
  showType();
  // Made once: when a policy is refused after the set exists, the next submit continues with it.
  let made: string | null = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, error, async () => {
      const base = { InstanceArn: me.instanceArn };
      if (!made) {
        const body: Record<string, unknown> = { ...base, Name: name.input.value.trim(), SessionDuration: duration.input.value };
        if (desc.input.value.trim()) body.Description = desc.input.value.trim();
        if (relay.input.value.trim()) body.RelayState = relay.input.value.trim();
        const t = tags(tagArea.area.value);
        if (t.length) body.Tags = t;
        made = (await call<{ PermissionSet: PermissionSet }>(`${SSO}.CreatePermissionSet`, body)).PermissionSet.PermissionSetArn;
        status.textContent = `Permission set ${name.input.value.trim()} was created.`;
      }
      const ps = { ...base, PermissionSetArn: made };
      try {
        await applyPolicies(ps, predefined() ? [JOB_FUNCTIONS.find(([n]) => n === job.input.value)![1]]
          : [...Array.from(managed.querySelectorAll<HTMLInputElement>('input:checked')).map((i) => i.value), ...lines(otherManaged.area.value)],
        predefined() ? null : { customer: lines(customer.area.value), inline: inline.area.value.trim(),
          boundaryArn: boundaryManaged.input.value.trim(), boundaryName: boundaryCustomer.input.value.trim() });
      } catch (err) {
        name.input.disabled = true;  // the set exists; what remains is correcting its policies
        throw new Error(`The permission set exists, but a policy was refused. ${err instanceof Error ? err.message : ''}`.trim());
      }
      await navigate(`/portal/console/permission-set?arn=${encodeURIComponent(made)}&created=1`);
    });
  });
  append(ctx.main, form);
}

interface CustomParts { customer: string[]; inline: string; boundaryArn: string; boundaryName: string }

// Inline policy first: it is the part most likely refused, and then nothing else was attached.
async function applyPolicies(ps: Record<string, string>, managed: string[], custom: CustomParts | null): Promise<void> {
  if (custom?.inline) await call(`${SSO}.PutInlinePolicyToPermissionSet`, { ...ps, InlinePolicy: custom.inline });
  for (const arn of managed) await call(`${SSO}.AttachManagedPolicyToPermissionSet`, { ...ps, ManagedPolicyArn: arn });
  for (const c of custom?.customer ?? [])
    await call(`${SSO}.AttachCustomerManagedPolicyReferenceToPermissionSet`, { ...ps, CustomerManagedPolicyReference: customerPolicy(c) });
  if (custom?.boundaryArn || custom?.boundaryName) {
    await call(`${SSO}.PutPermissionsBoundaryToPermissionSet`, { ...ps, PermissionsBoundary: custom.boundaryArn
      ? { ManagedPolicyArn: custom.boundaryArn } : { CustomerManagedPolicyReference: customerPolicy(custom.boundaryName) } });
  }
}

interface Managed { Name: string; Arn: string }

export async function permissionSetPage(ctx: PageContext): Promise<void> {
  const me = await consoleFrame(ctx, 'Permission set');
  if (!me) return;
  const arn = ctx.params.get('arn') ?? '';
  const ps = { InstanceArn: me.instanceArn, PermissionSetArn: arn };
  const error = errorRegion();
  const status = statusRegion();
  append(ctx.main, error, status);
  let p: PermissionSet | undefined;
  await act(null, error, async () => {
    p = (await call<{ PermissionSet: PermissionSet }>(`${SSO}.DescribePermissionSet`, ps)).PermissionSet;
  });
  if (!p || ctx.stale()) return;
  const set = p;
  if (ctx.params.get('created')) status.textContent = `Permission set ${set.Name} was created.`;
  (ctx.main.querySelector('h1') as HTMLElement).textContent = `Permission set ${set.Name}`;
  const canEdit = me.may('sso:UpdatePermissionSet');
  const policies = h('section', { 'aria-labelledby': 'policies-heading' });
  const provisioning = h('section', { 'aria-labelledby': 'provisioning-heading' });
  append(ctx.main, generalForm(ps, set, canEdit, error, status), policies, provisioning,
    h('p', {}, h('a', { href: '/portal/console/permission-sets' }, 'All permission sets')));

  async function loadPolicies(): Promise<void> {
    await act(null, error, async () => {
      const [managed, customer, inline, boundary, tagList] = await Promise.all([
        all<Managed>(`${SSO}.ListManagedPoliciesInPermissionSet`, ps, 'AttachedManagedPolicies'),
        all<{ Name: string; Path?: string }>(`${SSO}.ListCustomerManagedPolicyReferencesInPermissionSet`, ps, 'CustomerManagedPolicyReferences'),
        call<{ InlinePolicy?: string }>(`${SSO}.GetInlinePolicyForPermissionSet`, ps),
        call<{ PermissionsBoundary?: { ManagedPolicyArn?: string; CustomerManagedPolicyReference?: { Name: string; Path?: string } } }>(
          `${SSO}.GetPermissionsBoundaryForPermissionSet`, ps).catch(() => ({ PermissionsBoundary: undefined })),
        all<{ Key: string; Value?: string }>(`${SSO}.ListTagsForResource`, { InstanceArn: me!.instanceArn, ResourceArn: arn }, 'Tags'),
      ]);
      const detach = (label: string, target: string, body: Record<string, unknown>) => {
        if (!canEdit) return '';
        const b = button('Detach', { class: 'danger', 'aria-label': `Detach ${label}` });
        b.addEventListener('click', () => {
          if (!confirm(`Detach ${label} from ${set.Name}? Reprovision to apply it to the accounts.`)) return;
          void act(b, error, async () => { await call(target, { ...ps, ...body }); status.textContent = `${label} was detached.`; await loadPolicies(); });
        });
        return b;
      };
      const editor = policyEditor('inline-policy', 'Inline policy (JSON)', inline.InlinePolicy ?? '');
      const saveInline = h('button', { type: 'submit' }, 'Save inline policy');
      const attach = field('attach-arn', 'AWS managed policy ARN to attach', { maxlength: 2048, spellcheck: false });
      const b = boundary.PermissionsBoundary;
      policies.replaceChildren(h('h2', { id: 'policies-heading' }, 'Permissions'),
        managed.length ? table('AWS managed policies', canEdit ? ['Policy', 'ARN', 'Actions'] : ['Policy', 'ARN'],
          managed.map((m) => [m.Name, m.Arn, detach(m.Name, `${SSO}.DetachManagedPolicyFromPermissionSet`, { ManagedPolicyArn: m.Arn })]
            .filter((c) => c !== ''))) : h('p', {}, 'No AWS managed policy is attached.'),
        canEdit ? h('form', { class: 'inline', onsubmit: (e: Event) => {
          e.preventDefault();
          void act(null, error, async () => {
            await call(`${SSO}.AttachManagedPolicyToPermissionSet`, { ...ps, ManagedPolicyArn: attach.input.value.trim() });
            status.textContent = 'The policy was attached.';
            await loadPolicies();
          });
        } }, attach.wrapper, h('button', { type: 'submit' }, 'Attach policy')) : '',
        customer.length ? table('Customer managed policies', canEdit ? ['Name', 'Path', 'Actions'] : ['Name', 'Path'],
          customer.map((c) => [c.Name, c.Path ?? '/', detach(c.Name, `${SSO}.DetachCustomerManagedPolicyReferenceFromPermissionSet`,
            { CustomerManagedPolicyReference: c })].filter((x) => x !== ''))) : h('p', {}, 'No customer managed policy is attached.'),
        h('p', {}, 'Permissions boundary: ', b?.ManagedPolicyArn ?? (b?.CustomerManagedPolicyReference
          ? `${b.CustomerManagedPolicyReference.Path ?? '/'}${b.CustomerManagedPolicyReference.Name}` : 'none')),
        canEdit ? h('form', { onsubmit: (e: Event) => {
          e.preventDefault();
          void act(saveInline, error, async () => {
            if (editor.area.value.trim()) await call(`${SSO}.PutInlinePolicyToPermissionSet`, { ...ps, InlinePolicy: editor.area.value.trim() });
            else await call(`${SSO}.DeleteInlinePolicyFromPermissionSet`, ps);
            status.textContent = 'The inline policy was saved. Reprovision to apply it to the accounts.';
          });
        } }, editor.wrapper, h('div', { class: 'actions' }, saveInline))
          : h('pre', { class: 'record', 'aria-label': 'Inline policy' }, inline.InlinePolicy || 'No inline policy.'),
        tagList.length ? table('Tags', ['Key', 'Value'], tagList.map((t) => [t.Key, t.Value ?? ''])) : h('p', {}, 'No tags.'));
    });
  }

  async function loadProvisioning(): Promise<void> {
    await act(null, error, async () => {
      const q = (s: string) => all<string>(`${SSO}.ListAccountsForProvisionedPermissionSet`, { ...ps, ProvisioningStatus: s }, 'AccountIds');
      const [current, outdated] = await Promise.all([q('LATEST_PERMISSION_SET_PROVISIONED'), q('LATEST_PERMISSION_SET_NOT_PROVISIONED')]);
      const rows = [...current.map((a) => [a, 'Provisioned, current']), ...outdated.map((a) => [a, 'Outdated: reprovision'])];
      const again = me!.may('sso:ProvisionPermissionSet') && rows.length ? button('Reprovision in all accounts') : null;
      again?.addEventListener('click', () => void act(again, error, async () => {
        const r = await call<{ PermissionSetProvisioningStatus: RequestStatus }>(`${SSO}.ProvisionPermissionSet`,
          { ...ps, TargetType: 'ALL_PROVISIONED_ACCOUNTS' });
        status.textContent = 'Reprovisioning...';
        const s = await untilDone(async () => (await call<{ PermissionSetProvisioningStatus: RequestStatus }>(
          `${SSO}.DescribePermissionSetProvisioningStatus`, { InstanceArn: me!.instanceArn,
            ProvisionPermissionSetRequestId: r.PermissionSetProvisioningStatus.RequestId })).PermissionSetProvisioningStatus,
        (x) => { status.textContent = `Reprovisioning: ${x.Status}`; }, ctx.stale);
        status.textContent = s.Status === 'SUCCEEDED' ? 'Reprovisioned in all accounts.' : `Reprovisioning ${s.Status}: ${s.FailureReason ?? ''}`;
        await loadProvisioning();
      }));
      provisioning.replaceChildren(h('h2', { id: 'provisioning-heading' }, 'Accounts'),
        rows.length ? table(`Accounts with ${set.Name}`, ['Account', 'Provisioning status'], rows)
          : h('p', {}, 'This permission set is not provisioned to any account yet.'), again ?? '');
    });
  }
  await Promise.all([loadPolicies(), loadProvisioning()]);
}

function generalForm(ps: Record<string, string>, p: PermissionSet, canEdit: boolean, error: HTMLElement,
  status: HTMLElement): HTMLElement {
  const desc = field('edit-ps-description', 'Description', { required: false, maxlength: 700, value: p.Description ?? '' });
  const duration = select('edit-ps-duration', 'Session duration', DURATIONS, p.SessionDuration ?? 'PT1H');
  const relay = field('edit-ps-relay', 'Relay state', { required: false, maxlength: 240, type: 'url', value: p.RelayState ?? '' });
  for (const el of [desc.input, duration.input, relay.input]) el.disabled = !canEdit;
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
  return h('form', { 'aria-labelledby': 'general-heading', onsubmit: (e: Event) => {
    e.preventDefault();
    void act(save, error, async () => {
      const body: Record<string, unknown> = { ...ps, SessionDuration: duration.input.value };
      if (desc.input.value.trim()) body.Description = desc.input.value.trim();
      if (relay.input.value.trim()) body.RelayState = relay.input.value.trim();
      await call(`${SSO}.UpdatePermissionSet`, body);
      status.textContent = 'Saved. Reprovision to apply the change to the accounts (the guide: "choose Reprovision").';
    });
  } }, h('h2', { id: 'general-heading' }, 'General settings'),
  h('dl', { class: 'details' }, h('dt', {}, 'ARN'), h('dd', {}, p.PermissionSetArn)),
  desc.wrapper, duration.wrapper, relay.wrapper, canEdit ? h('div', { class: 'actions' }, save) : null);
}
