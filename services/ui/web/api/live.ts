import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { authHeaders, type StreamedEvent } from './client.ts';

type Listener = (event: StreamedEvent) => void;
const listeners = new Set<Listener>();
let controller: AbortController | undefined;
let connected = false;
const statusListeners = new Set<(live: boolean) => void>();

function setConnected(value: boolean) {
  connected = value;
  for (const listener of statusListeners) listener(value);
}

/**
 * One Server-Sent Events connection to `/api/v1/stream/events` per tab, read with fetch (so an API token can be
 * sent as a header, which EventSource cannot), reconnecting with backoff.
 */
async function run(signal: AbortSignal) {
  let backoffMs = 500;
  while (!signal.aborted) {
    try {
      const response = await fetch('/api/v1/stream/events', { headers: { ...authHeaders(), accept: 'text/event-stream' }, credentials: 'same-origin', signal });
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      setConnected(true);
      backoffMs = 500;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
          if (!data) continue;
          try {
            const event = JSON.parse(data) as StreamedEvent;
            for (const listener of listeners) listener(event);
          } catch {
            // A malformed frame is skipped; the next one is independent.
          }
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    setConnected(false);
    await new Promise((resolve) => setTimeout(resolve, backoffMs));
    backoffMs = Math.min(backoffMs * 2, 10_000);
  }
}

export function subscribeEvents(listener: Listener): () => void {
  listeners.add(listener);
  if (!controller) {
    controller = new AbortController();
    void run(controller.signal);
  }
  return () => {
    listeners.delete(listener);
  };
}

export function stopEvents(): void {
  controller?.abort();
  controller = undefined;
  setConnected(false);
}

export function onLiveStatus(listener: (live: boolean) => void): () => void {
  statusListeners.add(listener);
  listener(connected);
  return () => statusListeners.delete(listener);
}

/** The apps an event is about (`data.app` or `data.apps`). */
export function appsOfEvent(event: StreamedEvent): string[] {
  const data = event.event.data as Record<string, unknown>;
  if (typeof data.app === 'string') return [data.app];
  return Array.isArray(data.apps) ? data.apps.filter((app): app is string => typeof app === 'string') : [];
}

/**
 * Keeps the query cache live: an event about an app refreshes that app's queries and the lists (batched), a
 * pipeline event the pipeline queries, and every event the event/audit queries.
 */
export function useLiveInvalidation(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    let pending = new Set<string>();
    let other = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const apps = pending;
      pending = new Set();
      if (apps.size > 0) void queryClient.invalidateQueries({ queryKey: ['applications'] });
      for (const app of apps) void queryClient.invalidateQueries({ queryKey: ['application', app] });
      if (other) void queryClient.invalidateQueries({ queryKey: ['pipelines'] });
      void queryClient.invalidateQueries({ queryKey: ['events'] });
      other = false;
    };
    const unsubscribe = subscribeEvents((event) => {
      for (const app of appsOfEvent(event)) pending.add(app);
      if (/\.(promotion|gate|freight)\./.test(event.event.type)) other = true;
      timer ??= setTimeout(flush, 250);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [queryClient]);
}
