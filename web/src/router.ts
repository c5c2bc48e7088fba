// A tiny client-side router: the server answers every /portal/ path that is not a file with
// index.html, and this module picks the page from location.pathname. Links inside the portal are
// followed with history.pushState; Back and Forward re-render.

import { clear } from './dom';

export interface PageContext {
  main: HTMLElement;
  params: URLSearchParams;
  // Set when the page is replaced by another before its async work finished.
  stale: () => boolean;
}

export type Page = (ctx: PageContext) => Promise<void> | void;

const routes = new Map<string, Page>();
let notFound: Page = () => undefined;
let generation = 0;

export function route(path: string, page: Page): void {
  routes.set(path, page);
}

export function setNotFound(page: Page): void {
  notFound = page;
}

function normalise(path: string): string {
  if (path === '/portal' || path === '/') return '/portal/';
  return path.length > '/portal/'.length ? path.replace(/\/+$/, '') : path;
}

// Only same-origin paths under /portal/ are followed (a server-provided redirect included).
export function isPortalPath(target: string): boolean {
  return /^\/portal(\/|$)/.test(target) && !target.startsWith('//');
}

export async function navigate(target: string, replace = false): Promise<void> {
  if (!isPortalPath(target)) target = '/portal/';
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  await render();
}

export async function render(): Promise<void> {
  const main = document.getElementById('main') as HTMLElement;
  const mine = ++generation;
  const path = normalise(location.pathname);
  const page = routes.get(path) ?? notFound;
  // The console's stylesheet keys its theme on this (console/console.css).
  document.body.dataset.area = path.startsWith('/portal/console') ? 'console' : 'portal';
  clear(main);
  main.removeAttribute('aria-busy');
  const ctx: PageContext = {
    main,
    params: new URLSearchParams(location.search),
    stale: () => mine !== generation,
  };
  await page(ctx);
  if (!ctx.stale()) focusPage(main);
}

// On a page change focus goes to the first form field, or else to the page's heading, so that a
// keyboard or screen reader user starts at the top of the new content (WCAG 2.4.3 focus order).
export function focusPage(main: HTMLElement): void {
  const first = main.querySelector<HTMLElement>(
    'input:not([type=hidden]):not([hidden]):not([disabled]), select, textarea');
  const target = first ?? main.querySelector<HTMLElement>('h1') ?? main;
  target.focus();
  const title = main.querySelector('h1')?.textContent;
  document.title = title ? `${title} - Atrium` : 'Atrium';
}

export function start(): void {
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !isPortalPath(url.pathname)) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
    e.preventDefault();
    void navigate(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => void render());
  void render();
}
