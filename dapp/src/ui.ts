// A few DOM helpers: the dApp builds its views with plain DOM (no UI framework).

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((event: Event) => void) | undefined>;

/** An element with attributes (`on*` keys become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return el;
}

/** Replaces `el`'s children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
}

/** A shortened account or hash for tables (the full text in the tooltip). */
export function short(text: string, keep = 6): HTMLElement {
  const shown = text.length > 2 * keep + 1 ? `${text.slice(0, keep)}…${text.slice(-keep)}` : text;
  return h('span', { title: text, class: 'mono' }, shown);
}

/**
 * The message of anything thrown. A trap of the WebAssembly client (a Rust panic: a bug) shows
 * the panic's words, which its panic hook left in `globalThis.medchainWasmPanic`.
 */
export function message(error: unknown): string {
  const panic = (globalThis as { medchainWasmPanic?: string }).medchainWasmPanic;
  if (error instanceof WebAssembly.RuntimeError && panic) return `${panic} (reload the page)`;
  if (error instanceof Error) return error.message;
  return String(error);
}
