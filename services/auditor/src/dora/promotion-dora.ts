import { eventTypes, type CloudEvent } from '@tidewater/events';

/** DORA of promotion pipelines: promotions to each pipeline's last stage (`finalStage` in the promoter's events). */
export interface PromotionDoraMetrics {
  pipeline: string;
  stage: string;
  /** Promotions to the stage that succeeded (rollbacks excluded). */
  promotions: number;
  deploymentFrequencyPerDay: number;
  /** freight.created → promotion.succeeded to the last stage, per promotion. */
  leadTime: { samples: number; medianSeconds: number | null; meanSeconds: number | null };
  /** (failed promotions + promotions later rolled back) ÷ attempts; null without attempts. */
  changeFailureRate: number | null;
  failedPromotions: number;
  rolledBack: number;
  attempts: number;
}

/** The event types `computePromotionDora` reads. */
export const promotionDoraEventTypes: readonly string[] = [eventTypes.freightCreated, eventTypes.promotionStarted, eventTypes.promotionSucceeded, eventTypes.promotionFailed];

const text = (event: CloudEvent, key: string) => {
  const value = (event.data as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Per pipeline over [from, to): lead time from a freight's creation to its promotion to the last stage; change failure
 * rate as failed promotions plus promotions followed by a rollback of that stage, over promotion attempts (rollbacks
 * themselves are not attempts). Who approved each promotion is in the promotion events themselves (`approvals`).
 */
export function computePromotionDora(records: Iterable<{ event: CloudEvent }>, options: { from: number; to: number }): PromotionDoraMetrics[] {
  const created = new Map<string, number>();
  const byPipeline = new Map<string, Array<{ event: CloudEvent; timeMs: number }>>();
  for (const { event } of records) {
    const timeMs = Date.parse(event.time);
    if (!Number.isFinite(timeMs) || timeMs >= options.to) continue;
    const pipeline = text(event, 'pipeline');
    const freight = text(event, 'freight');
    if (!pipeline || !freight) continue;
    if (event.type === eventTypes.freightCreated) {
      created.set(`${pipeline}\0${freight}`, timeMs);
      continue;
    }
    if ((event.data as { finalStage?: unknown }).finalStage !== true) continue;
    const list = byPipeline.get(pipeline) ?? [];
    list.push({ event, timeMs });
    byPipeline.set(pipeline, list);
  }
  const days = Math.max(0, options.to - options.from) / 86_400_000;
  const result: PromotionDoraMetrics[] = [];
  for (const [pipeline, events] of byPipeline) {
    events.sort((a, b) => a.timeMs - b.timeMs);
    let promotions = 0;
    let failedPromotions = 0;
    let rolledBack = 0;
    let attempts = 0;
    const leadTimes: number[] = [];
    let live: { inWindow: boolean; failed: boolean } | undefined;
    const stage = text(events[0].event, 'stage') ?? '';
    for (const { event, timeMs } of events) {
      const inWindow = timeMs >= options.from;
      const kind = text(event, 'kind');
      if (event.type === eventTypes.promotionStarted) {
        if (kind === 'rollback') {
          if (live && !live.failed && live.inWindow) rolledBack++;
          if (live) live.failed = true;
        } else if (inWindow) attempts++;
      } else if (event.type === eventTypes.promotionFailed && kind !== 'rollback' && inWindow) {
        failedPromotions++;
      } else if (event.type === eventTypes.promotionSucceeded && kind !== 'rollback') {
        live = { inWindow, failed: false };
        if (!inWindow) continue;
        promotions++;
        const since = created.get(`${pipeline}\0${text(event, 'freight')}`);
        if (since !== undefined) leadTimes.push(timeMs - since);
      }
    }
    const sorted = leadTimes.sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    const median = sorted.length === 0 ? null : (sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2) / 1000;
    result.push({
      pipeline, stage, promotions, deploymentFrequencyPerDay: days > 0 ? promotions / days : 0,
      leadTime: { samples: sorted.length, medianSeconds: median, meanSeconds: sorted.length ? sorted.reduce((sum, value) => sum + value, 0) / sorted.length / 1000 : null },
      changeFailureRate: attempts > 0 ? (failedPromotions + rolledBack) / attempts : null,
      failedPromotions, rolledBack, attempts,
    });
  }
  return result.sort((a, b) => a.pipeline.localeCompare(b.pipeline));
}
