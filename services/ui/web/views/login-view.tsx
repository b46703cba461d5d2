import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, bearerToken, type UserInfo } from '../api/client.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { navigate, useLocation } from '../router.ts';

/** Only a path of this site is followed after login (never another origin). */
function safeReturn(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/login') ? value : '/applications';
}

export function LoginView() {
  const { query } = useLocation();
  const queryClient = useQueryClient();
  const returnTo = safeReturn(query.get('return'));
  const [mode, setMode] = useState<'password' | 'token'>('password');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => api<{ oidcConfig?: { name: string } }>('/api/v1/settings', { quiet401: true }) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'password') {
        bearerToken.clear();
        await api('/api/v1/session', { method: 'POST', body: { username, password }, quiet401: true });
      } else {
        bearerToken.set(token.trim());
        await api<UserInfo>('/api/v1/session/userinfo', { quiet401: true }).catch((failure: unknown) => {
          bearerToken.clear();
          throw failure;
        });
      }
      await queryClient.resetQueries({ queryKey: ['userinfo'] });
      navigate(returnTo, { replace: true });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <h1 id="login-title">≈ Tidewater</h1>
        {query.get('expired') ? <p className="notice" role="status">Your session has ended. Log in again to return to {returnTo}.</p> : null}
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={mode === 'password'} onClick={() => setMode('password')}>Local account</button>
          <button type="button" role="tab" aria-selected={mode === 'token'} onClick={() => setMode('token')}>API token</button>
        </div>
        {mode === 'password' ? (
          <>
            <label>Username<input name="username" autoComplete="username" value={username} onChange={(event) => setUsername(event.target.value)} required /></label>
            <label>Password<input name="password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} required /></label>
          </>
        ) : (
          <label>Token (tw_… or a project role token)<input name="token" type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} required /></label>
        )}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
        {settings.data?.oidcConfig ? (
          <a className="button sso" href={`/auth/login?return_url=${encodeURIComponent(returnTo)}`}>Log in with {settings.data.oidcConfig.name}</a>
        ) : null}
        <ErrorBox error={error} title="Login failed" />
      </form>
    </main>
  );
}
