import type { ImageChange } from './image-change.ts';

/** Argo CD Image Updater's default commit author. */
export const defaultCommitAuthor = { name: 'argocd-image-updater', email: 'noreply@argoproj.io' } as const;

/**
 * Image Updater's default template, rendered:
 * `build: automatic update of {{ .AppName }}` + one `updates image {{ .Image }} tag '{{ .OldTag }}' to '{{ .NewTag }}'` per change.
 */
export function defaultCommitMessage(app: string, changes: readonly ImageChange[]): string {
  const lines = changes.map((change) => `updates image ${change.image} tag '${change.oldTag ?? ''}' to '${change.newTag}'`);
  return `build: automatic update of ${app}\n\n${lines.join('\n')}\n`;
}
