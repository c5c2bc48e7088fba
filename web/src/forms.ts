// Form submission with one behaviour for every page: the browser's own validation first, the
// submit buttons disabled while the request runs, the error (or nothing) in the page's alert
// region, and focus back on the field to correct.

import { describeError, ApiError } from './api';

export interface SubmitOptions {
  form: HTMLFormElement;
  error: HTMLElement;
  // The field to focus after a failure (for example the code field after a wrong code).
  focusOnError?: () => HTMLElement | null;
  run: () => Promise<void>;
}

export function onSubmit(opts: SubmitOptions): void {
  opts.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void runBusy(opts);
  });
}

export async function runBusy(opts: SubmitOptions): Promise<void> {
  const { form, error } = opts;
  if (form.getAttribute('aria-busy') === 'true') return;
  const buttons = Array.from(form.querySelectorAll<HTMLButtonElement>('button'));
  form.setAttribute('aria-busy', 'true');
  buttons.forEach((b) => { b.disabled = true; });
  error.textContent = '';
  try {
    await opts.run();
  } catch (err) {
    error.textContent = describeError(err);
    markInvalid(form, err);
    const target = opts.focusOnError?.() ?? form.querySelector<HTMLElement>('input:not([type=checkbox])');
    target?.focus();
    target?.scrollIntoView?.({ block: 'nearest' });
  } finally {
    form.removeAttribute('aria-busy');
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// Credential errors make the fields invalid for assistive technology; other errors do not.
function markInvalid(form: HTMLFormElement, err: unknown): void {
  const invalid = err instanceof ApiError &&
    (err.code === 'InvalidCredentials' || err.code === 'PasswordPolicy' || err.code === 'InvalidRequest');
  for (const input of Array.from(form.querySelectorAll('input:not([type=checkbox])'))) {
    if (invalid) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

// New password + confirmation: the browser shows the mismatch as a validation message.
export function confirmMatches(password: HTMLInputElement, confirm: HTMLInputElement): void {
  const check = () => confirm.setCustomValidity(
    confirm.value && confirm.value !== password.value ? 'The passwords do not match.' : '');
  password.addEventListener('input', check);
  confirm.addEventListener('input', check);
}

export const PASSWORD_HINT =
  'Between 8 and 64 characters, with at least one lowercase letter, one uppercase letter, ' +
  'one number and one non-alphanumeric character. You cannot reuse your last three passwords.';
