// The permission set forms' parts: the guide's job function policies (the user guide's "Use an
// existing job function policy"; IAM's AWS managed policies for job functions), a JSON policy
// editor that checks what the server checks before anything is sent, and the small parsers of
// the text areas (one policy or tag a line).

import { h } from '../dom';

export const JOB_FUNCTIONS: [string, string][] = [
  ['AdministratorAccess', 'arn:aws:iam::aws:policy/AdministratorAccess'],
  ['Billing', 'arn:aws:iam::aws:policy/job-function/Billing'],
  ['DatabaseAdministrator', 'arn:aws:iam::aws:policy/job-function/DatabaseAdministrator'],
  ['DataScientist', 'arn:aws:iam::aws:policy/job-function/DataScientist'],
  ['NetworkAdministrator', 'arn:aws:iam::aws:policy/job-function/NetworkAdministrator'],
  ['PowerUserAccess', 'arn:aws:iam::aws:policy/PowerUserAccess'],
  ['ReadOnlyAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
  ['SecurityAudit', 'arn:aws:iam::aws:policy/SecurityAudit'],
  ['SupportUser', 'arn:aws:iam::aws:policy/job-function/SupportUser'],
  ['SystemAdministrator', 'arn:aws:iam::aws:policy/job-function/SystemAdministrator'],
  ['ViewOnlyAccess', 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess'],
];

// The user guide's "Set session duration": 1 hour by default, at most 12.
export const DURATIONS: [string, string][] = [
  ['PT1H', '1 hour'], ['PT2H', '2 hours'], ['PT4H', '4 hours'], ['PT8H', '8 hours'], ['PT12H', '12 hours'],
];

// The server's own grammar check (service/sso_admin/permission_set_service.cpp
// check_policy_document), so that the editor says what the server would refuse; the server still
// decides, and its ValidationException is shown when it refuses anyway.
export function policyProblem(text: string): string | null {
  if (!text.trim()) return null;
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (err) {
    return `The policy is not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
  const bad = (why: string) => `The inline policy is not a valid policy document: ${why}`;
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return bad('it must be a JSON object.');
  const doc = j as Record<string, unknown>;
  if ('Version' in doc && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
    return bad('Version must be 2012-10-17 or 2008-10-17.');
  const st = doc.Statement;
  const list = Array.isArray(st) ? st : st !== undefined && typeof st === 'object' && st !== null ? [st] : [];
  if (!list.length) return bad('Statement is required.');
  for (const s of list) {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return bad('each statement must be an object.');
    const e = (s as Record<string, unknown>).Effect;
    if (e !== 'Allow' && e !== 'Deny') return bad('each statement needs Effect Allow or Deny.');
  }
  return null;
}

export interface Editor { wrapper: HTMLElement; area: HTMLTextAreaElement; problem: () => string | null }

// A labelled text area for a policy document: checked on every change, the problem announced
// under it and set as the field's validity so that the form does not submit.
export function policyEditor(id: string, label: string, value = ''): Editor {
  const message = h('p', { id: `${id}-check`, class: 'hint', 'aria-live': 'polite' });
  const area = h('textarea', { id, name: id, rows: 12, spellcheck: 'false', class: 'code', 'aria-describedby': `${id}-check`,
    maxlength: 32768 });
  area.value = value;
  const check = () => {
    const p = policyProblem(area.value);
    area.setCustomValidity(p ?? '');
    area.setAttribute('aria-invalid', p ? 'true' : 'false');
    message.textContent = p ?? (area.value.trim() ? 'The policy is valid JSON with the required elements.' : '');
    message.className = p ? 'hint error' : 'hint';
    return p;
  };
  area.addEventListener('input', check);
  check();
  return { wrapper: h('div', { class: 'field' }, h('label', { for: id }, label), area, message), area, problem: check };
}

export function textArea(id: string, label: string, hint: string): { wrapper: HTMLElement; area: HTMLTextAreaElement } {
  const area = h('textarea', { id, name: id, rows: 3, spellcheck: 'false', 'aria-describedby': `${id}-hint`, maxlength: 8192 });
  return { wrapper: h('div', { class: 'field' }, h('label', { for: id }, label), h('p', { id: `${id}-hint`, class: 'hint' }, hint), area), area };
}

export const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

// "path/to/Name" or "Name" -> a CustomerManagedPolicyReference.
export function customerPolicy(line: string): { Name: string; Path?: string } {
  const at = line.lastIndexOf('/');
  if (at < 0) return { Name: line };
  const path = line.slice(0, at + 1);
  return { Name: line.slice(at + 1), Path: path.startsWith('/') ? path : `/${path}` };
}

// "key=value" lines -> Tags.
export function tags(text: string): { Key: string; Value: string }[] {
  return lines(text).map((l) => {
    const at = l.indexOf('=');
    return at < 0 ? { Key: l, Value: '' } : { Key: l.slice(0, at).trim(), Value: l.slice(at + 1).trim() };
  });
}

export function select(id: string, label: string, options: [string, string][], value: string): { wrapper: HTMLElement; input: HTMLSelectElement } {
  const input = h('select', { id, name: id }, ...options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)));
  return { wrapper: h('div', { class: 'field' }, h('label', { for: id }, label), input), input };
}
