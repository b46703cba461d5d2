/** Readable output of `tide rollback`, `tide resume` and `tide diff` from the control job's result. */
export function formatControlResult(kind: 'rollback' | 'resume' | 'diff', app: string, result: unknown): string {
  const value = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  const short = (revision: unknown) => typeof revision === 'string' ? revision.slice(0, 12) : '?';
  switch (kind) {
    case 'rollback': {
      const sync = value.sync as { id?: number; finishedAt?: string } | undefined;
      return [
        `${app} rolled back to ${short(value.revision)}${value.from ? ` (was ${short(value.from)})` : ''}; sync #${sync?.id ?? '?'} succeeded at ${sync?.finishedAt ?? '?'}`,
        `automated sync is paused: a new commit on the branch or \`tide resume ${app}\` resumes it`,
      ].join('\n');
    }
    case 'resume':
      if (value.resumed !== true) return `${app} was not paused; nothing to resume`;
      return `${app}: automated sync resumed${value.pausedRevision ? ` (was held at ${short(value.pausedRevision)})` : ''}`
        + (value.catchUpRevision ? `; catching up from ${short(value.catchUpRevision)} to the branch head` : '; no pushed revision known: the next commit or reconcile catches up');
    case 'diff':
      return diffText(value) ?? JSON.stringify(result, null, 2);
  }
}

/** The unified diff text in a diff result: a top-level `diff`/`unifiedDiff`/`text`, or each object's `diff`. */
function diffText(value: Record<string, unknown>): string | undefined {
  for (const field of ['unifiedDiff', 'diff', 'text']) {
    if (typeof value[field] === 'string') return (value[field] as string) || 'no differences';
  }
  if (Array.isArray(value.objects)) {
    const objects = value.objects.map((object: unknown) => (object ?? {}) as Record<string, unknown>);
    const counts = new Map<string, number>();
    for (const object of objects) if (typeof object.status === 'string') counts.set(object.status, (counts.get(object.status) ?? 0) + 1);
    const summary = counts.size > 0
      ? `${String(value.app ?? '')}${typeof value.revision === 'string' ? ` at ${value.revision.slice(0, 12)}` : ''}: ${[...counts].map(([status, n]) => `${n} ${status}`).join(', ')}`.trimStart()
      : undefined;
    const parts = objects.flatMap((entry) => {
      const text = entry.unifiedDiff ?? entry.diff;
      const note = typeof entry.message === 'string' ? `# ${[entry.kind, entry.namespace, entry.name].filter(Boolean).join('/')}: ${entry.message}` : undefined;
      return [...(note ? [note] : []), ...(typeof text === 'string' && text.length > 0 ? [text.trimEnd()] : [])];
    });
    return [...(summary ? [summary] : []), ...(parts.length > 0 ? parts : ['no differences'])].join('\n');
  }
  return undefined;
}
