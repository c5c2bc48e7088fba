// The "Command line or programmatic access" dialog of an account and role (the guide's "How to
// get credentials of an IAM role for use with CLI access to an AWS account"; issue 16 item 5):
// the values for `aws configure sso` (start URL, region), and short-term credentials of the role
// as shell exports (macOS and Linux, PowerShell, Windows cmd), as a credentials-file profile and
// as individual values, each with a Copy button. The credentials come from the portal's session
// (POST /portal/api/portal/credentials: STS AssumeRoleWithSAML through the AWS federation), never
// from a bearer token.

import { api, describeError } from '../api';
import { h, append, button, clear, errorRegion, statusRegion } from '../dom';

interface CliConfig {
  startUrl: string;
  region: string;
}

// The sso portal API's RoleCredentials shape (expiration in epoch milliseconds).
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
}

let counter = 0;

// A <pre> of `text` with its Copy button; the button says when it worked.
function copyBlock(label: string, text: string): HTMLElement {
  const id = `copy-${++counter}`;
  const pre = h('pre', { id, class: 'copyable', tabindex: 0, 'aria-label': label }, text);
  const done = statusRegion();
  const copy = button('Copy', { 'aria-describedby': id, class: 'copy' });
  copy.addEventListener('click', () => {
    void navigator.clipboard.writeText(text).then(
      () => { done.textContent = `${label} copied.`; },
      () => {
        // Without clipboard access: select the text for the user to copy.
        const range = document.createRange();
        range.selectNodeContents(pre);
        const sel = window.getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
        done.textContent = 'Copying is not allowed here: the text is selected, press Ctrl+C.';
      });
  });
  return h('div', { class: 'copy-block' }, h('div', { class: 'copy-head' }, h('span', {}, label), copy), pre, done);
}

export function exportsFor(shell: 'bash' | 'powershell' | 'cmd', c: Credentials): string {
  const vars: [string, string][] = [
    ['AWS_ACCESS_KEY_ID', c.accessKeyId], ['AWS_SECRET_ACCESS_KEY', c.secretAccessKey],
    ['AWS_SESSION_TOKEN', c.sessionToken]];
  if (shell === 'bash') return vars.map(([k, v]) => `export ${k}="${v}"`).join('\n');
  if (shell === 'powershell') return vars.map(([k, v]) => `$Env:${k}="${v}"`).join('\n');
  return vars.map(([k, v]) => `set ${k}=${v}`).join('\n');
}

export function profileFor(accountId: string, roleName: string, c: Credentials): string {
  return [`[${accountId}_${roleName}]`, `aws_access_key_id=${c.accessKeyId}`,
    `aws_secret_access_key=${c.secretAccessKey}`, `aws_session_token=${c.sessionToken}`].join('\n');
}

export function openCredentialsDialog(accountId: string, accountName: string, roleName: string,
                                      opener: HTMLElement): void {
  const titleId = 'credentials-title';
  const body = h('div', { class: 'credentials-body' }, h('p', { 'aria-busy': 'true' }, 'Getting credentials...'));
  const close = button('Close', { class: 'primary' });
  const dialog = h('dialog', { class: 'credentials', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, `Get credentials for ${roleName}`),
    h('p', { class: 'account-meta' }, `${accountName} (#${accountId})`),
    body, h('div', { class: 'actions' }, close));
  const finish = () => {
    dialog.close();
    dialog.remove();
    opener.focus();
  };
  close.addEventListener('click', finish);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(); });
  document.body.append(dialog);
  dialog.showModal();
  void fillDialog(body, accountId, roleName);
}

// The `aws configure sso` values first (they work whatever the role's credentials do), then the
// role's short-term credentials or the reason there are none.
async function fillDialog(body: HTMLElement, accountId: string, roleName: string): Promise<void> {
  const error = errorRegion();
  let config: CliConfig;
  try {
    config = await api<CliConfig>('GET', '/portal/api/cli/config');
  } catch (err) {
    clear(body);
    body.append(error);
    error.textContent = describeError(err);
    return;
  }
  clear(body);
  const creds = h('div', { class: 'role-credentials' }, h('p', { 'aria-busy': 'true' }, 'Getting credentials...'));
  append(body,
    h('h3', {}, 'AWS IAM Identity Center credentials (recommended)'),
    h('p', {}, 'Run ', h('code', {}, 'aws configure sso'), ' and give it these values; the CLI then signs in ' +
      'through this portal and renews credentials by itself.'),
    copyBlock('SSO start URL', config.startUrl),
    copyBlock('SSO region', config.region),
    creds);
  try {
    const r = await api<{ roleCredentials: Credentials }>('POST', '/portal/api/portal/credentials',
                                                          { accountId, roleName });
    fill(creds, accountId, roleName, r.roleCredentials);
  } catch (err) {
    clear(creds);
    creds.append(h('h3', {}, 'Short-term credentials'), error);
    error.textContent = describeError(err);
  }
}

function fill(body: HTMLElement, accountId: string, roleName: string, c: Credentials): void {
  clear(body);
  const expires = new Date(c.expiration);
  const tabs: ['bash' | 'powershell' | 'cmd', string][] = [
    ['bash', 'macOS and Linux'], ['powershell', 'Windows PowerShell'], ['cmd', 'Windows Command Prompt']];
  const panels = h('div', { class: 'shells' });
  const chooser = h('fieldset', {}, h('legend', {}, 'Your command line'),
    ...tabs.map(([shell, label], i) => h('div', { class: 'field radio' },
      h('input', { type: 'radio', name: 'shell', id: `shell-${shell}`, value: shell, checked: i === 0 }),
      h('label', { for: `shell-${shell}` }, label))));
  const show = (shell: 'bash' | 'powershell' | 'cmd') => {
    clear(panels);
    append(panels,
      h('h3', {}, 'Option 1: Set AWS environment variables'),
      copyBlock('Environment variables', exportsFor(shell, c)));
  };
  chooser.addEventListener('change', (e) => show((e.target as HTMLInputElement).value as 'bash' | 'powershell' | 'cmd'));
  show('bash');
  append(body,
    h('h3', {}, 'Short-term credentials'),
    chooser, panels,
    h('h3', {}, 'Option 2: Add a profile to your AWS credentials file'),
    copyBlock('Credentials file profile', profileFor(accountId, roleName, c)),
    h('h3', {}, 'Option 3: Use individual values in your AWS service client'),
    copyBlock('AWS access key ID', c.accessKeyId),
    copyBlock('AWS secret access key', c.secretAccessKey),
    copyBlock('AWS session token', c.sessionToken),
    h('p', { class: 'hint' }, Number.isNaN(expires.getTime())
      ? '' : `These credentials expire at ${expires.toLocaleString()}.`));
}
