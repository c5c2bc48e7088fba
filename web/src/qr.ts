// The TOTP QR code arrives as SVG markup made by the server (libqrencode). It is not inserted as
// HTML: it is parsed as XML and only <svg>, <rect> and <path> with drawing attributes are copied
// into the page, so neither a script, an event handler, a link nor a style can come with it.

const SVG_NS = 'http://www.w3.org/2000/svg';
const ALLOWED: Record<string, readonly string[]> = {
  svg: ['viewBox', 'width', 'height', 'shape-rendering', 'preserveAspectRatio'],
  rect: ['x', 'y', 'width', 'height', 'fill', 'stroke', 'stroke-width'],
  path: ['d', 'fill', 'stroke', 'stroke-width', 'fill-rule', 'transform'],
};
const PAINT = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|none)$/;

function copyAttributes(from: Element, to: Element, names: readonly string[]): void {
  for (const name of names) {
    const v = from.getAttribute(name);
    if (v === null) continue;
    if ((name === 'fill' || name === 'stroke') && !PAINT.test(v)) continue;
    if (/url\s*\(/i.test(v)) continue;
    to.setAttribute(name, v);
  }
}

function importChildren(from: Element, to: Element, depth: number): void {
  if (depth > 4) return;
  for (const child of Array.from(from.children)) {
    const name = child.localName;
    if (child.namespaceURI !== SVG_NS || !(name in ALLOWED) || name === 'svg') continue;
    const copy = document.createElementNS(SVG_NS, name);
    copyAttributes(child, copy, ALLOWED[name]!);
    to.appendChild(copy);
    importChildren(child, copy, depth + 1);
  }
}

// Returns a clean <svg> for the page, or null when the markup is not an SVG document.
export function sanitizedQr(markup: string, label: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.localName !== 'svg' || root.namespaceURI !== SVG_NS || doc.getElementsByTagName('parsererror').length) {
    return null;
  }
  const svg = document.createElementNS(SVG_NS, 'svg') as SVGSVGElement;
  copyAttributes(root, svg, ALLOWED.svg!);
  importChildren(root, svg, 0);
  if (!svg.childElementCount) return null;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  return svg;
}
