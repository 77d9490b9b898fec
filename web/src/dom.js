// Small DOM helpers. Text always goes in through textContent, never innerHTML: post titles,
// contents, authors and error messages are untrusted.

// el('a', {href: '/x', class: 'y', onclick: fn}, 'text', childNode, [more, children])
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      node.className = value;
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key in node && typeof value !== 'string') {
      node[key] = value;  // properties such as value, checked, disabled, max
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// replaceChildren that skips null/false children (as el() does) instead of writing "null".
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

let idCounter = 0;
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// A <label> + control pair inside a wrapper, with ids wired.
export function field(labelText, control, hint) {
  if (!control.id) control.id = uid('f');
  const wrap = el('div', { class: 'field' }, el('label', { for: control.id }, labelText), control);
  if (hint) {
    const hintEl = el('small', { id: uid('h'), class: 'hint' }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    wrap.append(hintEl);
  }
  return wrap;
}

export function select(name, options, value) {
  const s = el('select', { name });
  for (const opt of options) {
    const [v, label] = Array.isArray(opt) ? opt : [opt, opt];
    s.append(el('option', { value: v }, label));
  }
  if (value !== undefined && value !== null) s.value = value;
  return s;
}
