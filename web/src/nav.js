// The page's state lives in the URL hash ("#/posts?q=outage&source=reddit"), so a reload or a
// shared link shows the same view.

// Replaces the hash's query without adding a history entry or re-rendering the page.
export function replaceParams(page, params) {
  const qs = params.toString();
  const hash = `#/${page}${qs ? `?${qs}` : ''}`;
  if (hash !== location.hash) history.replaceState(null, '', hash);
}

export function pageLink(page, params) {
  const qs = params ? new URLSearchParams(params).toString() : '';
  return `#/${page}${qs ? `?${qs}` : ''}`;
}
