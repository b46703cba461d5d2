import { z } from 'zod';

/** Data every pipeline event carries: which pipeline, stage and freight, who acted and why. */
export const PipelineEventData = z.object({
  pipeline: z.string().min(1),
  stage: z.string().min(1).optional(),
  /** The freight's id (sha256 of its canonical artifacts) and its short alias. */
  freight: z.string().min(1),
  alias: z.string().min(1),
  actor: z.string().optional(),
  reason: z.string().optional(),
  /** The promotion this event is about (promotion.* events). */
  promotion: z.string().optional(),
  /** The commit a promotion pushed (promotion.succeeded), as every event names the commit it is about. */
  revision: z.string().optional(),
  /** Approvals a promotion went ahead with (promotion.started / succeeded): who, when, with which comment. */
  approvals: z.array(z.object({ user: z.string(), at: z.string(), comment: z.string().optional() })).optional(),
  /** gate.* events: the gate's name (or type). */
  gate: z.string().optional(),
  comment: z.string().optional(),
  /** promotion.*: `auto`, `manual` or `rollback`. */
  kind: z.enum(['auto', 'manual', 'rollback']).optional(),
  traceId: z.string().optional(),
});
export type PipelineEventData = z.infer<typeof PipelineEventData>;
