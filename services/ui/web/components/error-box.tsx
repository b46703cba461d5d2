import { Component, type ReactNode } from 'react';
import { ApiRequestError } from '../api/client.ts';

/** An API or rendering error as a readable message naming what failed. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const forbidden = error instanceof ApiRequestError && error.status === 403;
  return (
    <div role="alert" className={`error-box${forbidden ? ' forbidden' : ''}`}>
      <strong>{title ?? (forbidden ? 'Not allowed' : 'Something failed')}</strong>
      <p>{message}</p>
    </div>
  );
}

/** Catches a render error so the page shows a message instead of going blank. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (this.state.error) {
      return (
        <div className="page">
          <ErrorBox error={new Error(`This page could not be shown: ${this.state.error.message}`)} />
          <button type="button" onClick={() => this.setState({ error: undefined })}>Try again</button>
        </div>
      );
    }
    return this.props.children;
  }
}
