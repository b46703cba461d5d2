import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useState } from 'react';
import { api, bearerToken, onUnauthenticated } from './api/client.ts';
import { onLiveStatus, stopEvents, useLiveInvalidation } from './api/live.ts';
import { useUserInfo } from './auth/session.ts';
import { ErrorBoundary, ErrorBox } from './components/error-box.tsx';
import { navigate, useLocation } from './router.ts';
import { ApplicationsView } from './views/applications-view.tsx';
import { LoginView } from './views/login-view.tsx';

// Views past the first page load on demand (the list is what most visits start with).
const ApplicationView = lazy(() => import('./views/application-view.tsx').then((module) => ({ default: module.ApplicationView })));
const AuditView = lazy(() => import('./views/audit-view.tsx').then((module) => ({ default: module.AuditView })));
const PipelinesView = lazy(() => import('./views/pipelines-view.tsx').then((module) => ({ default: module.PipelinesView })));

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
    stopEvents();
    queryClient.removeQueries({ queryKey: ['userinfo'] });
    navigate(`/login?return=${encodeURIComponent(location.pathname + location.search)}&expired=1`);
  }), [queryClient]);
  useEffect(() => {
    if (path === '/') navigate('/applications', { replace: true });
  }, [path]);
  if (path === '/login') return <LoginView />;
  if (user.isPending) return <p className="page">Loading…</p>;
  if (user.error) {
    if ((user.error as { status?: number }).status === 401) {
      queueMicrotask(() => navigate(`/login?return=${encodeURIComponent(location.pathname + location.search)}`, { replace: true }));
      return null;
    }
    return <div className="page"><ErrorBox error={user.error} /></div>;
  }
  return <Shell />;
}
