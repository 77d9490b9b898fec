// The operator token: typed once, kept in sessionStorage (this tab only, gone when it closes),
// sent as a Bearer token. A refused token (401) is forgotten so the next write asks again.

const KEY = 'complaints.token';
const listeners = new Set();

export function getToken() {
  try {
    return sessionStorage.getItem(KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage disabled: the token lives until reload only through the dialog
  }
  for (const fn of listeners) fn(getToken());
}

export function onTokenChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

let dialogState = null;

// Wires the header button and the <dialog> of index.html.
export function initTokenDialog() {
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const reason = document.getElementById('token-dialog-reason');
  const stateEl = document.getElementById('token-state');
  const button = document.getElementById('token-button');

  const render = (token) => {
    stateEl.textContent = token ? 'set' : 'not set';
    button.classList.toggle('is-set', Boolean(token));
  };
  render(getToken());
  onTokenChange(render);

  dialogState = { dialog, input, reason, resolve: null };
  button.addEventListener('click', () => askForToken());
  document.getElementById('token-forget').addEventListener('click', () => {
    setToken('');
    input.value = '';
    close(false);
  });
  document.getElementById('token-cancel').addEventListener('click', () => close(false));
  dialog.addEventListener('cancel', () => finish(false));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    setToken(value);
    close(true);
  });

  function close(saved) {
    dialog.close();
    finish(saved);
  }
  function finish(saved) {
    const { resolve } = dialogState;
    dialogState.resolve = null;
    if (resolve) resolve(saved);
  }
}

// Opens the dialog; resolves true when a token was saved. `why` is shown as an alert.
export function askForToken(why = '') {
  const { dialog, input, reason } = dialogState;
  reason.textContent = why;
  reason.hidden = !why;
  input.value = '';
  if (!dialog.open) dialog.showModal();
  input.focus();
  return new Promise((resolve) => {
    dialogState.resolve = resolve;
  });
}
