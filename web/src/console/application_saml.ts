// An application's SAML settings on its console page (the guide's "Application properties",
// "Attribute mappings" and "Manage AWS SSO certificates"; docs/applications.md): the response
// settings (relay state, session duration, NameID format, what is signed), the attribute mappings
// as an editable table, and certificate rotation (a new inactive certificate, make it active,
// delete an inactive one), each through the AtriumAdmin application operations the CLI uses.

import { append, button, field, h } from '../dom';
import { call } from './capi';
import { select } from './policy_editor';
import { act, table } from './shell';

const ADMIN = 'AtriumAdmin';
export interface ResponseConfig { SessionDuration: number; RelayState?: string; NameIdFormat: string; Sign: string; StartUrl?: string }
export interface Mapping { Name: string; Value: string; Format: string }
export interface Cert { CertificateId: string; Status: string; NotAfter: number; ExpiryStatus: string; Fingerprint?: string }

const NAME_ID: [string, string][] = [
  ['urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', 'unspecified'],
  ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress', 'emailAddress'],
  ['urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'persistent'],
  ['urn:oasis:names:tc:SAML:2.0:nameid-format:transient', 'transient'],
];
// The guide's choices for an application's session duration (SAML NotOnOrAfter).
const DURATIONS: [string, string][] = [
  ['900', '15 minutes'], ['1800', '30 minutes'], ['3600', '1 hour'], ['7200', '2 hours'], ['14400', '4 hours'],
  ['28800', '8 hours'], ['43200', '12 hours'],
];

interface Regions { error: HTMLElement; status: HTMLElement }

export function responseSection(arn: string, cur: ResponseConfig, canEdit: boolean, r: Regions): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'app-response-heading' }, h('h2', { id: 'app-response-heading' }, 'Application properties'));
  const durations = DURATIONS.some(([v]) => v === String(cur.SessionDuration)) ? DURATIONS
    : [...DURATIONS, [String(cur.SessionDuration), `${cur.SessionDuration} seconds`] as [string, string]];
  const duration = select('app-session-duration', 'Session duration', durations, String(cur.SessionDuration));
  const relay = field('app-relay-state', 'Relay state', { required: false, value: cur.RelayState ?? '', maxlength: 80,
    hint: 'Sent unchanged with IdP-initiated sign-ins (at most 80 bytes); empty removes it.' });
  const nameId = select('app-name-id-format', 'Subject NameID format', NAME_ID, cur.NameIdFormat);
  const sign = select('app-sign', 'Signed', [['ASSERTION', 'The assertion'], ['RESPONSE', 'The response'], ['BOTH', 'Both']], cur.Sign);
  for (const s of [duration, nameId, sign]) s.input.disabled = !canEdit;
  relay.input.readOnly = !canEdit;
  const save = h('button', { type: 'submit' }, 'Save properties');
  append(section, h('form', { onsubmit: (e: Event) => {
    e.preventDefault();
    void act(save, r.error, async () => {
      await call(`${ADMIN}.UpdateApplicationInstanceResponseConfiguration`, { ApplicationArn: arn, ResponseConfig: {
        SessionDuration: Number(duration.input.value), RelayState: relay.input.value.trim(), NameIdFormat: nameId.input.value, Sign: sign.input.value,
      } });
      r.status.textContent = 'Application properties saved.';
    });
  } }, duration.wrapper, relay.wrapper, nameId.wrapper, sign.wrapper, canEdit ? h('div', { class: 'actions' }, save) : null));
  return section;
}

// The guide's attribute mappings table: one row per mapping (the first, "Subject", makes the
// NameID). Rows are edited in place, added and removed; Save sends the whole table, which the
// server validates (unknown expressions, a misplaced Subject) and answers in the page's alert.
export function mappingsSection(arn: string, rows: Mapping[], canEdit: boolean, r: Regions): HTMLElement {
  const section = h('section', { 'aria-labelledby': 'app-mappings-heading' }, h('h2', { id: 'app-mappings-heading' }, 'Attribute mappings'));
  const body = h('div', {});
  let n = 0;
  const editors: { name: HTMLInputElement; value: HTMLInputElement; format: HTMLInputElement; row: HTMLElement }[] = [];
  function addRow(m: Mapping): void {
    const i = n++;
    // Each field has its own label (read by screen readers, hidden on screen: the column
    // headings say the same to sighted users).
    const cell = (input: HTMLInputElement, label: string) =>
      h('td', {}, h('label', { for: input.id, class: 'visually-hidden' }, label), input);
    const name = h('input', { id: `map-name-${i}`, value: m.Name, maxlength: 1024, readonly: !canEdit });
    const value = h('input', { id: `map-value-${i}`, value: m.Value, maxlength: 1024, readonly: !canEdit });
    const format = h('input', { id: `map-format-${i}`, value: m.Format, maxlength: 32, readonly: !canEdit });
    const row = h('tr', {}, cell(name, `Attribute ${i + 1}: name in the application`),
      cell(value, `Attribute ${i + 1}: value`), cell(format, `Attribute ${i + 1}: format`));
    const ed = { name, value, format, row };
    if (canEdit) {
      const rm = button('Remove', { class: 'danger', 'aria-label': `Remove attribute ${i + 1}` });
      rm.addEventListener('click', () => { row.remove(); editors.splice(editors.indexOf(ed), 1); });
      append(row, h('td', {}, rm));
    }
    editors.push(ed);
    tbody.append(row);
  }
  const tbody = h('tbody', {});
  const headers = ['User attribute in the application', 'Maps to this string value or user attribute', 'Format'];
  append(body, h('table', {}, h('caption', {}, 'Attribute mappings (the first row, Subject, makes the NameID)'),
    h('thead', {}, h('tr', {}, ...[...headers, ...(canEdit ? ['Actions'] : [])].map((t) => h('th', { scope: 'col' }, t)))), tbody));
  rows.forEach(addRow);
  append(section, body);
  if (!canEdit) return section;
  const add = button('Add new attribute mapping');
  add.addEventListener('click', () => { addRow({ Name: '', Value: '', Format: 'unspecified' }); editors[editors.length - 1]?.name.focus(); });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save changes');
  append(section, h('form', { onsubmit: (e: Event) => {
    e.preventDefault();
    void act(save, r.error, async () => {
      const mappings = editors.map((ed) => ({ Name: ed.name.value.trim(), Value: ed.value.value, Format: ed.format.value.trim() || 'unspecified' }));
      await call(`${ADMIN}.UpdateApplicationInstanceResponseSchemaConfiguration`, { ApplicationArn: arn, ResponseSchemaConfig: { AttributeMappings: mappings } });
      r.status.textContent = 'Attribute mappings saved.';
    });
  } }, h('div', { class: 'actions' }, add, save)));
  return section;
}

// The guide's rotation: add a certificate (inactive; the metadata lists it so the SP can be
// given it), make it active, delete the old one (only an inactive one; confirmation).
export async function certificatesSection(arn: string, canEdit: boolean, r: Regions): Promise<HTMLElement> {
  const section = h('section', { 'aria-labelledby': 'app-certs-heading' });
  const day = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
  const expiry: Record<string, string> = { VALID: 'Valid', EXPIRING_SOON: 'Expires within 90 days', EXPIRED: 'Expired' };
  async function load(): Promise<void> {
    await act(null, r.error, async () => {
      const { Certificates: certs } = await call<{ Certificates: Cert[] }>(`${ADMIN}.ListApplicationInstanceCertificates`, { ApplicationArn: arn });
      const rows = certs.map((c) => {
        const cells: (Node | string)[] = [c.CertificateId, c.Status === 'ACTIVE' ? 'Active' : 'Inactive', day(c.NotAfter), expiry[c.ExpiryStatus] ?? c.ExpiryStatus];
        if (canEdit) {
          const actions = h('div', { class: 'actions' });
          if (c.Status !== 'ACTIVE') {
            const use = button('Make active', { 'aria-label': `Make certificate ${c.CertificateId} active` });
            use.addEventListener('click', () => {
              if (!confirm('Make this certificate active? The application must already trust it: Atrium signs with it from now on.')) return;
              void act(use, r.error, async () => {
                await call(`${ADMIN}.UpdateApplicationInstanceActiveCertificate`, { ApplicationArn: arn, CertificateId: c.CertificateId });
                r.status.textContent = `Certificate ${c.CertificateId} is active.`;
                await load();
              });
            });
            const del = button('Delete', { class: 'danger', 'aria-label': `Delete certificate ${c.CertificateId}` });
            del.addEventListener('click', () => {
              if (!confirm(`Delete the inactive certificate ${c.CertificateId}?`)) return;
              void act(del, r.error, async () => {
                await call(`${ADMIN}.DeleteApplicationInstanceCertificate`, { ApplicationArn: arn, CertificateId: c.CertificateId });
                r.status.textContent = `Certificate ${c.CertificateId} was deleted.`;
                await load();
              });
            });
            append(actions, use, del);
          }
          cells.push(actions);
        }
        return cells;
      });
      const headers = ['Certificate', 'Status', 'Expires', 'Expiry', ...(canEdit ? ['Actions'] : [])];
      const add = canEdit && certs.length < 2 ? button('Add a new certificate') : null;
      add?.addEventListener('click', () => void act(add, r.error, async () => {
        const made = await call<{ Certificate: Cert }>(`${ADMIN}.CreateApplicationInstanceCertificate`, { ApplicationArn: arn });
        r.status.textContent = `Certificate ${made.Certificate.CertificateId} was added (inactive): give it to the application, then make it active.`;
        await load();
      }));
      section.replaceChildren(h('h2', { id: 'app-certs-heading' }, 'IAM Identity Center certificates'),
        table('Certificates', headers, rows, { sortable: headers.map((t) => t !== 'Actions') }),
        canEdit && certs.length >= 2 ? h('p', {}, 'An application has at most two certificates: delete the inactive one to add another.') : '',
        add ?? '');
    });
  }
  await load();
  return section;
}
