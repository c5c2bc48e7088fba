// The sign-in steps after the password: the MFA challenge (authenticator code, security key, or a
// code sent by e-mail, with "This is a trusted device") and the forced registration of a first
// device (the guide's "Require them to register an MFA device at sign in").

import { api, MfaType, NextStep, TotpEnrollment } from '../api';
import { h, field, checkbox, errorRegion, heading, append, Field } from '../dom';
import { onSubmit, runBusy } from '../forms';
import { PageContext } from '../router';
import { chooseAndSetup, RegistrationApi } from '../registration';
import { followNext, requireFlow, showNav } from '../session';
import * as webauthn from '../webauthn';

type Json = Record<string, unknown>;

const CODE_LABELS: Record<string, [string, string]> = {
  TOTP: ['Authenticator app code', 'The 6-digit code your authenticator app shows now.'],
  EMAIL_OTP: ['Verification code', 'We sent a verification code to your e-mail address.'],
};

export async function mfaPage(ctx: PageContext): Promise<void> {
  const flow = await requireFlow();
  if (!flow || ctx.stale()) return;
  showNav(null);
  const step = flow.step ?? { next: 'mfa' as const };
  const methods: MfaType[] = step.methods?.length ? step.methods : ['TOTP'];
  const codeTypes = methods.filter((m) => m === 'TOTP' || m === 'EMAIL_OTP');
  const useKey = methods.includes('WEBAUTHN') && !!step.publicKey;
  const error = errorRegion();

  // With both kinds of code (rare), the user says which one they typed.
  let codeType: MfaType | null = codeTypes[0] ?? null;
  let code: Field | null = null;
  const parts: Node[] = [];
  if (codeType) {
    const [label, hint] = CODE_LABELS[codeType]!;
    code = field('mfa-code', label, { inputmode: 'numeric', autocomplete: 'one-time-code',
                                      pattern: '[0-9]{6,8}', maxlength: 8, hint });
    parts.push(code.wrapper);
    if (codeTypes.length > 1) parts.push(codeSourceChooser(codeTypes, code, (t) => { codeType = t; }));
  }
  const trust = checkbox('trust-device', 'This is a trusted device');
  parts.push(trust.wrapper);
  const actions = h('div', { class: 'actions' });
  if (code) actions.append(h('button', { type: 'submit', class: 'primary' }, 'Verify'));
  const keyButton = useKey
    ? h('button', { type: code ? 'button' : 'submit', id: 'use-security-key', class: code ? '' : 'primary' },
        'Use a security key')
    : null;
  if (keyButton) actions.append(keyButton);
  const form = h('form', {}, ...parts, actions);
  append(ctx.main, heading('Additional verification required'),
    h('p', {}, 'Signing in as ', h('strong', {}, flow.userName)),
    error, form,
    h('p', {}, h('a', { href: '/portal/signin' }, 'Start again')));

  const sendKey = async () => {
    const credential = await webauthn.get(step.publicKey as Json);
    await answer({ type: 'WEBAUTHN', credential });
  };
  const answer = async (body: Json) => {
    const next = await api<NextStep>('POST', '/portal/api/signin/mfa',
                                     { workflowId: flow.workflowId, trustDevice: trust.input.checked, ...body });
    await followNext(next);
  };
  onSubmit({
    form, error,
    focusOnError: () => code?.input ?? keyButton,
    run: async () => {
      if (!code) return sendKey();
      const value = code.input.value.trim();
      code.input.value = '';
      return answer({ type: codeType, code: value });
    },
  });
  if (keyButton && code) {
    keyButton.addEventListener('click', () => void runBusy({ form, error, focusOnError: () => keyButton, run: sendKey }));
  }
}

function codeSourceChooser(types: MfaType[], code: Field, pick: (t: MfaType) => void): HTMLFieldSetElement {
  const set = h('fieldset', {}, h('legend', {}, 'Where is your code from?'));
  types.forEach((t, i) => {
    const id = `code-from-${t.toLowerCase()}`;
    const radio = h('input', { type: 'radio', name: 'code-from', id, value: t, checked: i === 0 });
    radio.addEventListener('change', () => {
      pick(t);
      const label = code.wrapper.querySelector('label');
      if (label) label.textContent = CODE_LABELS[t]![0];
    });
    set.append(h('div', { class: 'field radio' }, radio,
      h('label', { for: id }, t === 'TOTP' ? 'My authenticator app' : 'An e-mail I received')));
  });
  return set;
}

export async function registerMfaPage(ctx: PageContext): Promise<void> {
  const flow = await requireFlow();
  if (!flow || ctx.stale()) return;
  showNav(null);
  const types = flow.step?.types?.length ? flow.step.types : ['TOTP', 'WEBAUTHN'];
  const workflowId = flow.workflowId;
  const base = '/portal/api/signin/register';
  const reg: RegistrationApi = {
    totpBegin: () => api<TotpEnrollment>('POST', `${base}/totp/begin`, { workflowId }),
    totpFinish: async (enrollmentId, code, name) =>
      followNext(await api<NextStep>('POST', `${base}/totp/finish`, { workflowId, enrollmentId, code, name })),
    webauthnBegin: () => api<Json>('POST', `${base}/webauthn/begin`, { workflowId }),
    webauthnFinish: async (credential, name) =>
      followNext(await api<NextStep>('POST', `${base}/webauthn/finish`, { workflowId, credential, name })),
  };
  append(ctx.main, heading('Register an MFA device'),
    h('p', {}, 'Your administrator requires multi-factor authentication. Register a device to finish ' +
               'signing in as ', h('strong', {}, flow.userName), '.'));
  chooseAndSetup(ctx.main, types, reg);
}
