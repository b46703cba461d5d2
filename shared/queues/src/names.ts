/** BullMQ queue names: the only way services ask each other for work. */
export const queueNames = {
  render: 'tidewater-render',
  sync: 'tidewater-sync',
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];
