// Registering an MFA device, shared by the forced registration at sign-in and the devices page
// (the guide's "How to register a device for use with multi-factor authentication"): an
// authenticator app (QR code and the secret as text, then one code to prove it works) or a
// security key / built-in authenticator (navigator.credentials.create).

import { TotpEnrollment, describeError } from './api';
import { h, field, errorRegion, heading, append } from './dom';
import { onSubmit } from './forms';
import { sanitizedQr } from './qr';
import * as webauthn from './webauthn';

type Json = Record<string, unknown>;

export interface RegistrationApi {
  totpBegin: () => Promise<TotpEnrollment>;
  totpFinish: (enrollmentId: string, code: string, name: string) => Promise<void>;
  webauthnBegin: () => Promise<Json>;
  webauthnFinish: (credential: Json, name: string) => Promise<void>;
}

export const TYPE_LABELS: Record<string, string> = {
  TOTP: 'Authenticator app',
  WEBAUTHN: 'Security key or built-in authenticator',
  EMAIL_OTP: 'Code sent by e-mail',
};

// Fills `host` with the authenticator-app setup. Resolves once the section is on the page; the
// begin call's error is shown in `host` itself.
export async function totpSetup(host: HTMLElement, reg: RegistrationApi): Promise<void> {
  const title = heading('Set up an authenticator app', 2);
  title.setAttribute('tabindex', '-1');
  const error = errorRegion();
  append(host, title, error);
  let enrollment: TotpEnrollment;
  try {
    enrollment = await reg.totpBegin();
  } catch (err) {
    error.textContent = describeError(err);
    title.focus();
    return;
  }
  const qr = sanitizedQr(enrollment.qrSvg ?? '', 'QR code for your authenticator app');
  const code = field('totp-code', 'Code from the app', {
    inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6,
    hint: 'After adding the account, enter the 6-digit code the app shows.',
  });
  const name = field('device-name', 'Device name', { value: 'Authenticator app', maxlength: 64,
                                                     hint: 'A name that helps you recognise this device.' });
  const form = h('form', { class: 'register-totp' }, code.wrapper, name.wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Register')));
  append(host,
    h('ol', { class: 'steps' },
      h('li', {}, 'Open an authenticator app on your phone or computer.'),
      h('li', {}, 'Scan this QR code with the app:', qr ?? h('span', { class: 'hint' }, ' (no QR code available)')),
      h('li', {}, 'Or enter this key in the app by hand: ',
        h('code', { id: 'totp-secret', class: 'secret' }, enrollment.secret))),
    form);
  onSubmit({
    form, error,
    focusOnError: () => code.input,
    run: () => reg.totpFinish(enrollment.enrollmentId, code.input.value.trim(), name.input.value.trim()),
  });
  title.focus();
}

export function webauthnSetup(host: HTMLElement, reg: RegistrationApi): void {
  const title = heading('Register a security key or built-in authenticator', 2);
  title.setAttribute('tabindex', '-1');
  const error = errorRegion();
  const name = field('device-name', 'Device name', { value: 'Security key', maxlength: 64,
                                                     hint: 'A name that helps you recognise this key.' });
  const form = h('form', { class: 'register-webauthn' }, name.wrapper,
    h('p', {}, 'When you press the button, your browser asks you to touch or unlock your security key ' +
                'or built-in authenticator.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Register security key')));
  append(host, title, error, form);
  if (!webauthn.supported()) error.textContent = 'This browser does not support security keys.';
  onSubmit({
    form, error,
    focusOnError: () => form.querySelector('button'),
    run: async () => {
      const options = await reg.webauthnBegin();
      const credential = await webauthn.create(options);
      await reg.webauthnFinish(credential, name.input.value.trim());
    },
  });
  title.focus();
}

// A radio group to choose the kind of device, then the setup of that kind below it.
export function chooseAndSetup(host: HTMLElement, types: string[], reg: RegistrationApi): void {
  const offered = types.filter((t) => t === 'TOTP' || t === 'WEBAUTHN');
  const setup = h('section', { class: 'setup' });
  const start = (type: string) => {
    while (setup.firstChild) setup.removeChild(setup.firstChild);
    if (type === 'TOTP') void totpSetup(setup, reg);
    else webauthnSetup(setup, reg);
  };
  if (offered.length === 1) {
    host.append(setup);
    start(offered[0]!);
    return;
  }
  const radios = offered.map((t, i) => h('div', { class: 'field radio' },
    h('input', { type: 'radio', id: `type-${t.toLowerCase()}`, name: 'mfa-type', value: t, checked: i === 0 }),
    h('label', { for: `type-${t.toLowerCase()}` }, TYPE_LABELS[t] ?? t)));
  const chooser = h('form', { class: 'choose-type' },
    h('fieldset', {}, h('legend', {}, 'Type of MFA device'), ...radios),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Continue')));
  chooser.addEventListener('submit', (e) => {
    e.preventDefault();
    const picked = chooser.querySelector<HTMLInputElement>('input[name=mfa-type]:checked');
    start(picked?.value ?? offered[0]!);
  });
  host.append(chooser, setup);
}
