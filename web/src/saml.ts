// Opening an application (docs/applications.md "The portal"): the page navigates, with a form
// post to the portal itself (form-action 'self'), to /portal/saml/launch/<id> (a tile) or
// /portal/saml/continue (an application's sign-in request); the portal answers with the page
// that posts the SAML Response to the application (its own CSP names the application's ACS,
// web/public/saml-post.js submits it) or with a page saying why not. Tiles with an application
// start URL open that URL instead: the application starts the sign-in.

import { currentCsrfToken } from './api';
import { h } from './dom';

export function postToPortal(path: string, fields: Record<string, string>): void {
  if (!/^\/portal\/saml\//.test(path)) throw new Error('Not a portal address.');
  const form = h('form', { method: 'post', action: path, hidden: true },
    ...Object.entries({ csrf: currentCsrfToken(), ...fields })
      .map(([name, value]) => h('input', { type: 'hidden', name, value })));
  document.body.append(form);
  form.submit();
}

// The application start URL of a tile: http(s) only.
export function openStartUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('The application has a start URL that cannot be opened.');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('The application has a start URL that cannot be opened.');
  location.assign(u.href);
}
