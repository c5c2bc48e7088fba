// Handing a SAML Response to an application: the HTTP-POST binding (SAML bindings §3.5.4) is a
// form the browser submits to the application's assertion consumer service URL, with the fields
// SAMLResponse and RelayState. The form is made here (no inline script: the page runs under
// `default-src 'self'`) and submitted at once; its button stays as the way on if the submission
// is held up.

import { h, append, clear, heading } from './dom';

export interface SamlPost {
  acsUrl: string;
  samlResponse: string;
  relayState?: string;
}

export interface LaunchAnswer {
  applicationName?: string;
  post?: SamlPost;
  redirect?: string;
}

// Only http(s) destinations are followed (the server registered them; this is a second check).
function httpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export function submitSamlPost(main: HTMLElement, post: SamlPost, applicationName: string): void {
  if (!httpUrl(post.acsUrl)) throw new Error('The application has an address that cannot be opened.');
  const form = h('form', { method: 'post', action: post.acsUrl, id: 'saml-post' },
    h('input', { type: 'hidden', name: 'SAMLResponse', value: post.samlResponse }),
    post.relayState !== undefined ? h('input', { type: 'hidden', name: 'RelayState', value: post.relayState }) : null,
    h('button', { type: 'submit', class: 'primary' }, `Continue to ${applicationName}`));
  clear(main);
  append(main, heading(`Signing you in to ${applicationName}`),
    h('p', { role: 'status' }, 'You are being signed in. If nothing happens, choose Continue.'), form);
  form.submit();
}

// A tile's answer: the application start URL, or a Response to post.
export function followLaunch(main: HTMLElement, answer: LaunchAnswer): void {
  const name = answer.applicationName ?? 'the application';
  if (answer.redirect) {
    if (!httpUrl(answer.redirect)) throw new Error('The application has a start URL that cannot be opened.');
    location.assign(answer.redirect);
    return;
  }
  if (answer.post) submitSamlPost(main, answer.post, name);
}

// Where the sign-in goes when it is done: a portal path saved before the detour (the SAML
// continue page), else the portal. Kept in sessionStorage (this tab only).
const RETURN_KEY = 'atrium.return';

export function saveReturn(path: string): void {
  if (/^\/portal\//.test(path) && !path.startsWith('//')) sessionStorage.setItem(RETURN_KEY, path);
}

export function takeReturn(): string | null {
  const path = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return path && /^\/portal\//.test(path) && !path.startsWith('//') ? path : null;
}
