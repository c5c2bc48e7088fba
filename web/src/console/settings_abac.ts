// Settings, continued: attributes for access control (the user guide's "Enable and configure
// attributes for access control": on/off and the key -> source mapping, sso-admin
// *InstanceAccessControlAttributeConfiguration) and "Delete IAM Identity Center configuration"
// with the guide's confirmation (type the identity store id; AtriumAdmin.DeleteConfiguration).

import { button, errorRegion, field, h, statusRegion } from '../dom';
import { call, ConsoleError } from './capi';
import { SSO } from './orgs';
import { lines, textArea } from './policy_editor';
import { act, Caller } from './shell';

interface Abac {
  Status?: string; StatusReason?: string;
  InstanceAccessControlAttributeConfiguration?: { AccessControlAttributes: { Key: string; Value: { Source: string[] } }[] };
}

// "CostCenter = ${path:enterprise.costCenter}" lines <-> AccessControlAttributes.
const mappingText = (a: Abac) => (a.InstanceAccessControlAttributeConfiguration?.AccessControlAttributes ?? [])
  .map((x) => `${x.Key} = ${x.Value.Source.join(', ')}`).join('\n');

function parseMapping(text: string): { Key: string; Value: { Source: string[] } }[] {
  return lines(text).map((l, i) => {
    const at = l.indexOf('=');
    if (at <= 0) throw new Error(`Line ${i + 1}: write "Key = \${path:...}".`);
    return { Key: l.slice(0, at).trim(), Value: { Source: [l.slice(at + 1).trim()] } };
  });
}

export async function abacSection(me: Caller, section: HTMLElement, error: HTMLElement, status: HTMLElement): Promise<void> {
  const base = { InstanceArn: me.instanceArn };
  const canChange = me.may('sso:CreateInstanceAccessControlAttributeConfiguration');
  await act(null, error, async () => {
    let cfg: Abac = {};
    try {
      cfg = await call<Abac>(`${SSO}.DescribeInstanceAccessControlAttributeConfiguration`, base);
    } catch (err) {
      if (!(err instanceof ConsoleError && err.type === 'ResourceNotFoundException')) throw err;
    }
    const enabled = cfg.Status === 'ENABLED' || cfg.Status === 'CREATION_IN_PROGRESS';
    const mapping = textArea('abac-mapping', 'Attributes', 'One attribute a line: Key = ${path:enterprise.costCenter}, or a SAML attribute of the external IdP.');
    mapping.area.value = mappingText(cfg);
    mapping.area.disabled = !canChange;
    const save = h('button', { type: 'submit', class: 'primary' }, enabled ? 'Save attributes' : 'Enable attributes for access control');
    const disable = enabled && canChange ? button('Disable attributes for access control', { class: 'danger' }) : null;
    disable?.addEventListener('click', () => {
      if (!confirm('Disable attributes for access control? Policies that use these session tags stop matching.')) return;
      void act(disable, error, async () => {
        await call(`${SSO}.DeleteInstanceAccessControlAttributeConfiguration`, base);
        status.textContent = 'Attributes for access control are disabled.';
        await abacSection(me, section, error, status);
      });
    });
    const form = h('form', { onsubmit: (e: Event) => {
      e.preventDefault();
      void act(save, error, async () => {
        const body = { ...base, InstanceAccessControlAttributeConfiguration: { AccessControlAttributes: parseMapping(mapping.area.value) } };
        await call(`${SSO}.${enabled ? 'Update' : 'Create'}InstanceAccessControlAttributeConfiguration`, body);
        status.textContent = 'Attributes for access control saved.';
        await abacSection(me, section, error, status);
      });
    } }, mapping.wrapper, canChange ? h('div', { class: 'actions' }, save, disable) : null);
    section.replaceChildren(h('h2', { id: 'abac-heading' }, 'Attributes for access control'),
      h('p', {}, enabled ? `Enabled${cfg.StatusReason ? ` (${cfg.StatusReason})` : ''}.` : 'Disabled.'), form);
  });
}

// The guide: deleting the configuration removes permission sets, assignments, applications,
// users and groups; the administrator types the identity store id to confirm.
export function deleteSection(me: Caller, store: string): HTMLElement | null {
  if (!me.may('sso:DeleteConfiguration')) return null;
  const error = errorRegion();
  const status = statusRegion();
  const confirmField = field('delete-confirm', `Type ${store} to confirm`, { autocomplete: 'off', spellcheck: false, maxlength: 64 });
  const submit = h('button', { type: 'submit', class: 'danger' }, 'Delete IAM Identity Center configuration');
  return h('section', { 'aria-labelledby': 'delete-heading' }, h('h2', { id: 'delete-heading' }, 'Delete configuration'),
    h('p', {}, 'This deletes every permission set, account assignment, application, user and group, and the external identity provider settings. It cannot be undone.'),
    h('form', { onsubmit: (e: Event) => {
      e.preventDefault();
      void act(submit, error, async () => {
        if (confirmField.input.value.trim() !== store) throw new Error(`Type ${store} exactly to confirm.`);
        const r = await call<{ Deleted: Record<string, number> }>('AtriumAdmin.DeleteConfiguration', { Confirmation: confirmField.input.value.trim() });
        status.textContent = `Deleted: ${Object.entries(r.Deleted).map(([k, v]) => `${v} ${k}`).join(', ')}.`;
      });
    } }, confirmField.wrapper, error, status, h('div', { class: 'actions' }, submit)));
}
