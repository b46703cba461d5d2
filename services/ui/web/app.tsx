import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, bearerToken, onUnauthenticated } from './api/client.ts';
import { onLiveStatus, stopEvents, useLiveInvalidation } from './api/live.ts';
import { useUserInfo } from './auth/session.ts';
import { ErrorBoundary, ErrorBox } from './components/error-box.tsx';
import { navigate, useLocation } from './router.ts';
import { ApplicationsView } from './views/applications-view.tsx';
import { LoginView } from './views/login-view.tsx';

// Views past the first page load on demand (the list is what most visits start with); the one the first URL names
// starts loading at once, beside the login check and the data, instead of after them.
const loaders = {
  application: () => import('./views/application-view.tsx').then((module) => ({ default: module.ApplicationView })),
  audit: () => import('./views/audit-view.tsx').then((module) => ({ default: module.AuditView })),
  pipelines: () => import('./views/pipelines-view.tsx').then((module) => ({ default: module.PipelinesView })),
};
const started = new Map<keyof typeof loaders, ReturnType<(typeof loaders)[keyof typeof loaders]>>();
const load = <K extends keyof typeof loaders>(name: K) => {
  if (!started.has(name)) started.set(name, loaders[name]());
  return started.get(name) as ReturnType<(typeof loaders)[K]>;
};
if (location.pathname.startsWith('/applications/')) void load('application');
else if (location.pathname.startsWith('/audit')) void load('audit');
else if (location.pathname.startsWith('/pipelines')) void load('pipelines');
const ApplicationView = lazy(() => load('application'));
const AuditView = lazy(() => load('audit'));
const PipelinesView = lazy(() => load('pipelines'));

function LiveIndicator() {
  const [live, setLive] = useState(false);
  useEffect(() => onLiveStatus(setLive), []);
  return <span className={`live ${live ? 'on' : 'off'}`} title={live ? 'receiving live updates' : 'reconnecting to the event stream'}>{live ? '● live' : '○ reconnecting'}</span>;
}

function Shell() {
  const { path } = useLocation();
  const user = useUserInfo();
  const queryClient = useQueryClient();
  useLiveInvalidation();
  const logout = async () => {
    await api('/api/v1/session', { method: 'DELETE' }).catch(() => undefined);
    bearerToken.clear();
    stopEvents();
    queryClient.clear();
    navigate('/login');
  };
  const link = (to: string, label: string) => (
    <a href={to} aria-current={path.startsWith(to) ? 'page' : undefined} onClick={(event) => { event.preventDefault(); navigate(to); }}>{label}</a>
  );
  let page;
  if (path.startsWith('/applications/')) page = <ApplicationView name={decodeURIComponent(path.slice('/applications/'.length))} />;
  else if (path.startsWith('/pipelines')) page = <PipelinesView name={path.length > '/pipelines/'.length ? decodeURIComponent(path.slice('/pipelines/'.length)) : undefined} />;
  else if (path.startsWith('/audit')) page = <AuditView />;
  else page = <ApplicationsView />;
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">≈ Tidewater</span>
        <nav aria-label="main">{link('/applications', 'Applications')}{link('/pipelines', 'Pipelines')}{link('/audit', 'Audit')}</nav>
        <LiveIndicator />
        <span className="identity" data-testid="identity">
          {user.data ? <>{user.data.username}{user.data.groups.length ? <small> ({user.data.groups.join(', ')})</small> : null}</> : '…'}
        </span>
        <button type="button" onClick={() => void logout()}>Log out</button>
      </header>
      <main>
        <ErrorBoundary>
          <Suspense fallback={<p className="page">Loading…</p>}>{page}</Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}

export function App() {
  const { path } = useLocation();
  const user = useUserInfo();
  const queryClient = useQueryClient();
  // Any 401 (expired or revoked session): to the login page, then back to the same page.
  useEffect(() => onUnauthenticated(() => {
    if (location.pathname === '/login') return;
    // "Expired" only when this tab was logged in; a first visit just asks for a login.
    const wasLoggedIn = queryClient.getQueryData(['userinfo']) !== undefined;
    stopEvents();
    queryClient.removeQueries({ queryKey: ['userinfo'] });
    navigate(`/login?return=${encodeURIComponent(location.pathname + location.search)}${wasLoggedIn ? '&expired=1' : ''}`);
  }), [queryClient]);
  useEffect(() => {
    if (path === '/') navigate('/applications', { replace: true });
  }, [path]);
  if (path === '/login') return <LoginView />;
  // The page renders (and fetches its data) while the login check runs; a 401 from either goes to the login page.
  if (user.error) {
    if ((user.error as { status?: number }).status === 401) {
      queueMicrotask(() => navigate(`/login?return=${encodeURIComponent(location.pathname + location.search)}`, { replace: true }));
      return null;
    }
    return <div className="page"><ErrorBox error={user.error} /></div>;
  }
  return <Shell />;
}
