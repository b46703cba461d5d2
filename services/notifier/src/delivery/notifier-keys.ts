/** Redis keys private to the notifier (`tidewater:notifier:…`). */
export const notifierKeys = {
  /** Once-per-deploy marker: a delivery id while queued or sending, `sent` afterwards. */
  once: (trigger: string, app: string, revision: string, channelKey: string) => `tidewater:notifier:once:${trigger}:${app}:${revision}:${channelKey}`,
  /** Sorted set of send times in the rolling rate-limit window. */
  rate: (channel: string) => `tidewater:notifier:rate:${channel}`,
  /** Consecutive deliveries to the channel that ultimately failed. */
  failures: (channel: string) => `tidewater:notifier:channel:${channel}:failures`,
  /** Present while the channel is paused after repeated failures; expires after the cool-down. */
  unhealthy: (channel: string) => `tidewater:notifier:channel:${channel}:unhealthy`,
} as const;
