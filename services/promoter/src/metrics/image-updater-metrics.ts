import { Counter } from 'prom-client';
import { getMetrics } from '@tidewater/telemetry';

export interface ImageUpdaterMetrics {
  /** Argo CD Image Updater's name, so its dashboards and alerts (seed 002's `Image Update Failed`) work unchanged. */
  imagesUpdated: Counter<'application'>;
  imagesUpdatedErrors: Counter<'application'>;
  /** Tidewater's own: image jobs by outcome (updated, unchanged, pinned, failed). */
  imageJobs: Counter<'app' | 'outcome'>;
}

let shared: ImageUpdaterMetrics | undefined;

/** The promoter's counters, registered once on the process's Tidewater registry (served at /metrics). */
export function getImageUpdaterMetrics(): ImageUpdaterMetrics {
  if (shared) return shared;
  const { registry } = getMetrics();
  shared = {
    imagesUpdated: new Counter({ name: 'argocd_image_updater_images_updated_total', help: 'Images updated (committed to Git) by application.', labelNames: ['application'], registers: [registry] }),
    imagesUpdatedErrors: new Counter({ name: 'argocd_image_updater_images_updated_errors_total', help: 'Image updates that failed, by application.', labelNames: ['application'], registers: [registry] }),
    imageJobs: new Counter({ name: 'tidewater_image_jobs_total', help: 'Image jobs by application and outcome (updated, unchanged, pinned, failed).', labelNames: ['app', 'outcome'], registers: [registry] }),
  };
  return shared;
}
