// Small DOM helpers. Text always goes in as text nodes (never innerHTML), so nothing a server or a
// user typed can become markup; no inline styles (the CSP forbids them), only classes.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | EventListener | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(name.replace(/^on/, ''), value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

// A labelled input: <div class="field"><label for=id>..</label>[hint]<input id=id ...></div>.
// Every input of the UI is made here, so every input has a real <label for>.
export interface FieldOptions {
  type?: string;
  autocomplete?: string;
  hint?: string;
  required?: boolean;
  value?: string;
  inputmode?: string;
  pattern?: string;
  maxlength?: number;
  minlength?: number;
  spellcheck?: boolean;
  autocapitalize?: string;
}

export interface Field {
  wrapper: HTMLDivElement;
  input: HTMLInputElement;
}

export function field(id: string, label: string, opts: FieldOptions = {}): Field {
  const hintId = opts.hint ? `${id}-hint` : null;
  const input = h('input', {
    id, name: id, type: opts.type ?? 'text',
    autocomplete: opts.autocomplete, required: opts.required ?? true,
    inputmode: opts.inputmode, pattern: opts.pattern,
    maxlength: opts.maxlength, minlength: opts.minlength,
    spellcheck: opts.spellcheck === false ? 'false' : undefined,
    autocapitalize: opts.autocapitalize,
    'aria-describedby': hintId,
  });
  if (opts.value !== undefined) input.value = opts.value;
  const wrapper = h('div', { class: 'field' },
    h('label', { for: id }, label),
    hintId ? h('p', { id: hintId, class: 'hint' }, opts.hint ?? '') : null,
    input);
  return { wrapper, input };
}

export function checkbox(id: string, label: string): Field {
  const input = h('input', { id, name: id, type: 'checkbox' });
  const wrapper = h('div', { class: 'field checkbox' }, input, h('label', { for: id }, label));
  return { wrapper, input };
}

// The page's error region: present (empty) from the first render so that screen readers announce
// the text put in it later (role=alert is an assertive live region).
export function errorRegion(): HTMLParagraphElement {
  return h('p', { class: 'error', role: 'alert', 'aria-live': 'assertive' });
}

// A polite region for results that are not errors ("we sent an e-mail", search result counts).
export function statusRegion(): HTMLParagraphElement {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

export function heading(text: string, level: 1 | 2 | 3 = 1): HTMLHeadingElement {
  const tag = (`h${level}`) as 'h1' | 'h2' | 'h3';
  // tabindex=-1: the router moves focus here on a page change when the page has no form field.
  return h(tag, level === 1 ? { tabindex: -1 } : {}, text);
}

export function button(text: string, attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', ...attrs }, text);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
