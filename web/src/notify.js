// Toast messages (a polite live region; errors as alerts) and the one way to run a write that
// needs the operator token.
import { ApiError, explain } from './api.js';
import { el } from './dom.js';
import { askForToken, getToken, setToken } from './token.js';

export function notify(message, kind = 'info', timeoutMs = kind === 'error' ? 12000 : 5000) {
  const box = document.getElementById('toasts');
  const close = el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
  const toast = el('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : null },
    el('span', { class: 'toast-text' }, message), close);
  close.addEventListener('click', () => toast.remove());
  box.append(toast);
  if (timeoutMs > 0) setTimeout(() => toast.remove(), timeoutMs);
  return toast;
}

// Runs `write()` (which calls api.send) with the operator token: asks for one when none is set,
// and on 401 forgets the refused token and says why. Resolves to write()'s value, or undefined
// when the user gave up or the call failed (the failure is already shown).
export async function withToken(write, what = 'This action') {
  if (!getToken()) {
    const saved = await askForToken(`${what} needs an operator token.`);
    if (!saved) return undefined;
  }
  try {
    return await write();
  } catch (err) {
    const message = explain(err);
    notify(message, 'error');
    if (err instanceof ApiError && err.status === 401) {
      setToken('');
      askForToken(message);
    }
    return undefined;
  }
}
