/** BullMQ queue names: the only way services ask each other for work. */
export const queueNames = {
  render: 'tidewater-render',
  sync: 'tidewater-sync',
  /** Operator requests answered by the syncer: diff, rollback, resume (`ControlJob`). */
  control: 'tidewater-control',
  /** A registry push for one image policy: the promoter decides and writes the new tag back to Git (`ImageJob`). */
  image: 'tidewater-image',
  /** Branch heads asked of the renderer (`HeadsJob` → `HeadsResult`): the reconcile loop and sync requests use it. */
  heads: 'tidewater-heads',
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];
