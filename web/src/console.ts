// "Management console": asks the portal for a signed SAML Response for one account and role, then
// posts it to AWS's sign-in endpoint the way an IdP-initiated sign-in does (SAML 2.0 HTTP-POST
// binding: a form with SAMLResponse and RelayState). The form is built with DOM calls and
// submitted from this module: no inline script, and the portal's CSP form-action names the
// sign-in endpoint (docs/console-access.md).

import { api, ConsoleSession } from './api';

export async function openConsole(accountId: string, roleName: string): Promise<void> {
  const s = await api<ConsoleSession>('POST', '/portal/api/portal/console', { accountId, roleName });
  if (!/^https?:\/\//.test(s.destination)) throw new Error('The portal answered an unexpected sign-in address.');
  const form = document.createElement('form');
  form.method = 'post';
  form.action = s.destination;
  form.hidden = true;
  form.append(hidden('SAMLResponse', s.samlResponse));
  if (s.relayState) form.append(hidden('RelayState', s.relayState));
  document.body.append(form);
  form.submit();
}

function hidden(name: string, value: string): HTMLInputElement {
  const input = document.createElement('input');
  input.type = 'hidden';
  input.name = name;
  input.value = value;
  return input;
}
