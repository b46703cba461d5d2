import { resolveSecret, SecretRefError } from '@tidewater/config';
import type { SlackChannelSpec } from '../channels/notification-channel.ts';
import { isAtOrigin, slackSecretOrigins } from './secret-hosts.ts';
import { outcomeOfFetchError, outcomeOfStatus, parseRetryAfter, readBodyStart, safeErrorCode, type SendOutcome } from './send-outcome.ts';

export const defaultSlackApiUrl = 'https://slack.com/api';

export interface SlackMessage {
  text: string;
  blocks?: Array<Record<string, unknown>>;
}

export interface SendContext {
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
  env?: NodeJS.ProcessEnv;
}

// chat.postMessage answers 200 {ok:false, error}; these errors mean the token itself is unusable.
const brokenTokenErrors = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'missing_scope']);
const transientApiErrors = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

function secretOutcome(error: unknown): SendOutcome {
  // SecretRefError names the reference (`env SLACK_URL is not set`), never its value.
  const reason = error instanceof SecretRefError ? error.message : 'secret reference cannot be resolved';
  return { kind: 'permanent', reason, channelBroken: false };
}

async function post(url: string, init: { headers: Record<string, string>; body: string }, context: SendContext): Promise<Response | SendOutcome> {
  try {
    return await context.fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(context.timeoutMs),
    });
  } catch (error) {
    return outcomeOfFetchError(error, context.timeoutMs);
  }
}

/**
 * Posts one message to Slack: to the incoming webhook (`webhookUrlRef`), or with the bot token to
 * `chat.postMessage` in `slackChannel ?? spec.channel`. Secrets are read here, at send time.
 */
export async function sendSlackMessage(input: { spec: SlackChannelSpec; slackChannel?: string; message: SlackMessage }, context: SendContext): Promise<SendOutcome> {
  const { spec, message } = input;
  const destination = input.slackChannel ?? spec.channel;
  const payload: Record<string, unknown> = { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) };

  if (spec.webhookUrlRef) {
    let url: string;
    try {
      url = resolveSecret(spec.webhookUrlRef, context.env);
    } catch (error) {
      return secretOutcome(error);
    }
    if (!URL.canParse(url)) return { kind: 'permanent', reason: 'webhookUrlRef does not hold a URL', channelBroken: true };
    // The webhook URL is a credential: it goes to Slack's webhook host or the channel's configured apiUrl host only.
    const allowed = slackSecretOrigins(spec, 'webhook');
    if (!isAtOrigin(url, allowed)) {
      return { kind: 'permanent', reason: `webhookUrlRef holds a URL outside ${allowed.join(', ')}: not sent (set spec.apiUrl to allow another Slack host)`, channelBroken: true };
    }
    // Legacy incoming webhooks honour `channel`; app webhooks post to their own channel whatever it says.
    if (input.slackChannel) payload.channel = input.slackChannel;
    const response = await post(url, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }, context);
    if (!(response instanceof Response)) return response;
    const body = await readBodyStart(response);
    if (response.ok) return { kind: 'sent', status: response.status };
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), context.now());
    return outcomeOfStatus(response.status, { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), ...(safeErrorCode(body) ? { code: safeErrorCode(body) } : {}) });
  }

  if (!spec.tokenRef) return { kind: 'permanent', reason: 'slack channel has neither webhookUrlRef nor tokenRef', channelBroken: true };
  if (!destination) return { kind: 'permanent', reason: 'no Slack channel to post to: set spec.channel or name one in the annotation', channelBroken: false };
  let token: string;
  try {
    token = resolveSecret(spec.tokenRef, context.env);
  } catch (error) {
    return secretOutcome(error);
  }
  const apiUrl = (spec.apiUrl ?? defaultSlackApiUrl).replace(/\/+$/, '');
  // The bot token goes to slack.com or the channel's own apiUrl host, nowhere else (redirects are not followed).
  if (!isAtOrigin(apiUrl, slackSecretOrigins(spec, 'token'))) {
    return { kind: 'permanent', reason: 'the Slack API URL is outside the hosts this token may be sent to', channelBroken: true };
  }
  const response = await post(`${apiUrl}/chat.postMessage`, {
    headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
    body: JSON.stringify({ channel: destination, ...payload, unfurl_links: false }),
  }, context);
  if (!(response instanceof Response)) return response;
  const body = await readBodyStart(response, 64_000);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), context.now());
  if (!response.ok) return outcomeOfStatus(response.status, retryAfterMs !== undefined ? { retryAfterMs } : {});
  let answer: { ok?: unknown; error?: unknown };
  try {
    answer = JSON.parse(body) as { ok?: unknown; error?: unknown };
  } catch {
    return { kind: 'retry', reason: `HTTP ${response.status} with a body that is not Slack's JSON`, status: response.status };
  }
  if (answer.ok === true) return { kind: 'sent', status: response.status };
  const code = safeErrorCode(typeof answer.error === 'string' ? answer.error : undefined) ?? 'unknown_error';
  const reason = `Slack API error ${code}`;
  if (transientApiErrors.has(code)) return { kind: 'retry', reason, status: response.status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  return { kind: 'permanent', reason, status: response.status, channelBroken: brokenTokenErrors.has(code) };
}
