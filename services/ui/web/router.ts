import { useSyncExternalStore } from 'react';

// A small history-API router: the app has five pages, which do not need a routing library's weight.
const listeners = new Set<() => void>();
const notify = () => { for (const listener of listeners) listener(); };
window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const href = useSyncExternalStore((listener) => { listeners.add(listener); return () => listeners.delete(listener); }, () => location.pathname + location.search);
  const url = new URL(href, location.origin);
  return { path: url.pathname, query: url.searchParams };
}

/** Replaces the query string (filters, paging) without a new history entry per keystroke. */
export function setQuery(params: Record<string, string | undefined>): void {
  const url = new URL(location.href);
  for (const [key, value] of Object.entries(params)) {
    if (value) url.searchParams.set(key, value);
    else url.searchParams.delete(key);
  }
  navigate(url.pathname + url.search, { replace: true });
}
