import type { ArgoApplication } from '@tidewater/config';
import type { CloudEvent } from '@tidewater/events';
import { healthOf, type TriggerDefinition, type TriggerDetail } from '../triggers/trigger-table.ts';

/** What templates may reference (`{{ app }}`, `{{ data.counts.applied }}`); absent fields stay undefined. */
export interface TemplateFields {
  app: string;
  trigger: string;
  channel: string;
  result: string;
  revision?: string;
  revisionShort?: string;
  /** `<repo>/commit/<sha>` when the repository URL is https and the revision a commit SHA. */
  revisionUrl?: string;
  repoURL?: string;
  actor?: string;
  /** Same as actor (argocd-notifications templates say author). */
  author?: string;
  health?: string;
  duration?: string;
  durationMs?: number;
  reason?: string;
  /** The trigger's extra facts (image, old → new tag, commit for image triggers). */
  details?: TriggerDetail[];
  time: string;
  event: { id: string; type: string; source: string; time: string; subject?: string };
  data: Record<string, unknown>;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const isCommitSha = (revision: string) => /^[0-9a-f]{7,64}$/i.test(revision);

/** `https://host/org/repo` without credentials, `.git` or a trailing slash; undefined unless https. */
export function browsableRepoUrl(repoURL: string | undefined): string | undefined {
  if (!repoURL) return undefined;
  let url: URL;
  try {
    url = new URL(repoURL);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  // Credentials in a repo URL are secrets: never put them in a message.
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\.git$/, '')}`;
}

/** `850 ms`, `12.4 s`, `3 min 5 s`. */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1_000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1_000).toFixed(1).replace(/\.0$/, '')} s`;
  const minutes = Math.floor(milliseconds / 60_000);
  const seconds = Math.round((milliseconds % 60_000) / 1_000);
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

/** The fields of one notification, from the event, the trigger and the Application's source. */
export function buildTemplateFields(input: {
  event: CloudEvent;
  trigger: TriggerDefinition;
  application: ArgoApplication | undefined;
  channel: string;
}): TemplateFields {
  const { event, trigger, application } = input;
  const data = event.data;
  const revision = text(data.revision);
  const repoURL = text(data.repoURL) ?? application?.spec.source?.repoURL;
  const repoWeb = browsableRepoUrl(repoURL);
  const actor = text(data.actor) ?? text(data.author);
  const durationMs = typeof data.durationMs === 'number' && Number.isFinite(data.durationMs) ? data.durationMs : undefined;
  return {
    app: text(data.app) ?? event.subject ?? 'unknown',
    trigger: trigger.name,
    channel: input.channel,
    result: trigger.result(event),
    revision,
    revisionShort: revision && isCommitSha(revision) ? revision.slice(0, 7) : revision,
    revisionUrl: revision && repoWeb && isCommitSha(revision) ? `${repoWeb}/commit/${revision}` : undefined,
    repoURL: repoWeb ?? (repoURL && !/\/\/[^/]*@/.test(repoURL) ? repoURL : undefined),
    actor,
    author: actor,
    health: healthOf(event),
    duration: durationMs === undefined ? undefined : formatDuration(durationMs),
    durationMs,
    reason: text(data.reason) ?? text(data.message),
    ...(trigger.details ? { details: trigger.details(event) } : {}),
    time: event.time,
    event: { id: event.id, type: event.type, source: event.source, time: event.time, ...(event.subject ? { subject: event.subject } : {}) },
    data,
  };
}
