// Renders a post's analysis evidence (an object whose shape belongs to the analysis module:
// language, sentiment terms, complaint signals, product terms, relevance...) as readable nested
// lists: terms become chips, objects become "key: value" lines. Unknown shapes still render.
import { el } from './dom.js';

function isScalar(v) {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function scalarText(v) {
  if (v === null) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  return String(v);
}

// One object of a list (a term with its valence, a signal with its weight and terms).
function itemChip(obj) {
  const name = obj.term ?? obj.id ?? obj.name ?? obj.label;
  const rest = Object.entries(obj).filter(([k]) => !['term', 'id', 'name', 'label'].includes(k));
  return el('li', { class: 'chip' },
    name !== undefined ? el('strong', {}, scalarText(name)) : null,
    rest.map(([k, v]) => el('span', { class: 'chip-part' }, ` ${k} `,
      isScalar(v) ? scalarText(v) : Array.isArray(v) && v.every(isScalar) ? v.map(scalarText).join(', ') : JSON.stringify(v))));
}

function value(v, depth) {
  if (isScalar(v)) return el('span', {}, scalarText(v));
  if (Array.isArray(v)) {
    if (!v.length) return el('span', { class: 'muted' }, 'none');
    if (v.every(isScalar)) return el('ul', { class: 'chips' }, v.map((x) => el('li', { class: 'chip' }, scalarText(x))));
    if (v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) return el('ul', { class: 'chips' }, v.map(itemChip));
    return el('code', {}, JSON.stringify(v));
  }
  if (depth > 2) return el('code', {}, JSON.stringify(v));
  return el('ul', { class: 'ev-obj' }, Object.entries(v).map(([k, x]) =>
    el('li', {}, el('span', { class: 'ev-key' }, `${k.replace(/_/g, ' ')}: `), value(x, depth + 1))));
}

export function renderEvidence(evidence) {
  const entries = evidence && typeof evidence === 'object' ? Object.entries(evidence) : [];
  if (!entries.length) return el('p', { class: 'muted' }, 'No evidence recorded for this post.');
  return el('div', { class: 'evidence' },
    el('dl', {}, entries.map(([k, v]) => [el('dt', {}, k.replace(/_/g, ' ')), el('dd', {}, value(v, 0))])),
    el('details', { class: 'raw' }, el('summary', {}, 'Raw JSON'), el('pre', {}, JSON.stringify(evidence, null, 2))));
}
