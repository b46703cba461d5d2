import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { eventTypes } from '@tidewater/events';
import type { Identity } from '../auth/identity.ts';
import { ApiError } from '../errors/api-errors.ts';
import { decideApproval, pipelineNamed, stageNamed } from '../pipelines/pipeline-actions.ts';
import { slackRequestProblem } from '../pipelines/slack-signature.ts';
import type { RouteContext } from '../route-context.ts';

/** Slack interactivity: the signing secret (from a secret reference) and Slack user id → Tidewater account. */
export interface SlackInteractionSettings {
  signingSecret: string;
  users: Record<string, string>;
}

/** The notifier's Approve / Reject buttons carry `{ pipeline, stage, freight }` as their value. */
const ButtonValue = z.object({ pipeline: z.string().min(1), stage: z.string().min(1), freight: z.string().min(1) });
const BlockActions = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string().min(1), username: z.string().optional() }),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});

/** Parses `TIDEWATER_SLACK_USERS` (`U012AB=alice,U034CD=erin`). */
export function parseSlackUsers(text: string | undefined): Record<string, string> {
  const users: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').map((item) => item.trim()).filter(Boolean)) {
    const [slackUser, account] = pair.split('=').map((part) => part.trim());
    if (slackUser && account) users[slackUser] = account;
  }
  return users;
}

/**
 * POST /api/v1/slack/interactions: Slack's interactive Approve / Reject. The raw body's signature (v0 HMAC-SHA256 of
 * `v0:ts:body` with the signing secret) and a 5-minute timestamp window are checked before anything is parsed (401
 * otherwise); the Slack user acts as the mapped Tidewater account, with its roles, exactly as through the API.
 */
export function registerSlackInteractionRoutes(app: FastifyInstance, ctx: RouteContext, settings: () => SlackInteractionSettings | undefined): void {
  void app.register(async (scope) => {
    // Slack posts application/x-www-form-urlencoded: kept raw here (this scope only) for the signature.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
    scope.post('/api/v1/slack/interactions', {
      config: { public: true },
      schema: { tags: ['pipelines'], summary: 'Slack interactive Approve / Reject of a promotion (signed by Slack; not for other callers)', hide: false },
    }, async (request, reply) => {
      const current = settings();
      if (!current) throw new ApiError(404, 'NotFound', 'Slack interactions are not configured (TIDEWATER_SECRET_SLACK_SIGNING_SECRET)');
      if (typeof request.body !== 'string') throw new ApiError(415, 'UnsupportedMediaType', 'Slack interactions are application/x-www-form-urlencoded');
      const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const problem = slackRequestProblem({ signingSecret: current.signingSecret, timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature'), rawBody: request.body });
      if (problem) {
        request.log.warn({ reason: problem }, 'slack interaction refused');
        throw new ApiError(401, 'Unauthenticated', problem);
      }
      let payload: z.infer<typeof BlockActions>;
      let value: z.infer<typeof ButtonValue>;
      try {
        payload = BlockActions.parse(JSON.parse(new URLSearchParams(request.body).get('payload') ?? ''));
        value = ButtonValue.parse(JSON.parse(payload.actions[0].value ?? ''));
      } catch {
        throw new ApiError(400, 'InvalidArgument', 'payload: not a block_actions payload with a Tidewater button');
      }
      const action = payload.actions[0].action_id;
      const decision = action === 'tidewater-approve' ? 'approve' : action === 'tidewater-reject' ? 'reject' : undefined;
      if (!decision) throw new ApiError(400, 'InvalidArgument', `payload.actions[0].action_id: ${action} is not a Tidewater action`);
      const accountName = current.users[payload.user.id];
      const account = accountName ? (await ctx.rbac()).settings.accounts.find((candidate) => candidate.name === accountName && candidate.enabled) : undefined;
      const pipeline = pipelineNamed(ctx, value.pipeline);
      const stage = stageNamed(pipeline, value.stage);
      if (!account) {
        await ctx.events.publish({
          type: eventTypes.promotionApprovalDenied, subject: `${pipeline.name}/${stage.name}`,
          data: { pipeline: pipeline.name, stage: stage.name, freight: value.freight, alias: value.freight, actor: `slack:${payload.user.id}`, reason: 'the Slack user is not mapped to an enabled Tidewater account' },
        });
        return reply.send({ response_type: 'ephemeral', replace_original: false, text: 'You are not mapped to a Tidewater account: ask an admin to add you to TIDEWATER_SLACK_USERS.' });
      }
      const identity: Identity = { subject: account.name, groups: account.groups, via: 'slack' };
      try {
        const result = await decideApproval(ctx, identity, pipeline, stage, value.freight, decision, `via Slack (${payload.user.username ?? payload.user.id})`);
        const text = decision === 'approve'
          ? `:white_check_mark: ${account.name} approved ${result.alias} for ${stage.name} (${result.approvals}/${result.required})`
          : `:no_entry: ${account.name} rejected ${result.alias} for ${stage.name}`;
        return reply.send({ response_type: 'in_channel', replace_original: false, text });
      } catch (error) {
        // Slack shows only 200 answers to the user: a refusal (already audited) is told to them, ephemerally.
        if (error instanceof ApiError) return reply.send({ response_type: 'ephemeral', replace_original: false, text: `Not done: ${error.message}` });
        throw error;
      }
    });
  });
}
