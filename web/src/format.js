// Formatting of numbers, shares, dates and durations for display.

const nf = new Intl.NumberFormat('en');
const pf = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });

export function count(n) {
  return n === null || n === undefined ? '–' : nf.format(n);
}

export function percent(fraction) {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction)
    ? '–'
    : pf.format(fraction);
}

export function share(part, whole) {
  return whole > 0 ? part / whole : null;
}

export function score(x, digits = 2) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

// "2024-05-01T10:00:00Z" -> "1 May 2024, 10:00 UTC"
export function dateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit',
    timeZone: 'UTC',
  }) + ' UTC';
}

export function dateOnly(iso) {
  if (!iso) return '–';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

// Milliseconds -> "3 s", "4 min", "2 h", "5 d".
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  const d = now - t;
  return d < 0 ? `in ${duration(-d)}` : `${duration(d)} ago`;
}

// ISO 8601 without milliseconds, as the API's filters expect.
export function isoSeconds(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function unknownKey(key) {
  return key === '' || key === null || key === undefined ? 'unknown' : key;
}
