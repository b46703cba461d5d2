const healthIcons: Record<string, string> = { Healthy: '♥', Progressing: '◔', Degraded: '✖', Suspended: '⏸', Missing: '?', Unknown: '?' };

export function HealthBadge({ status }: { status: string | undefined }) {
  const value = status ?? 'Unknown';
  return <span className={`badge health-${value.toLowerCase()}`} title={`health: ${value}`}>{healthIcons[value] ?? '•'} {value}</span>;
}

export function SyncBadge({ status }: { status: string | undefined }) {
  const value = status ?? 'Unknown';
  return <span className={`badge sync-${value.toLowerCase()}`} title={`sync: ${value}`}>{value === 'Synced' ? '✓' : value === 'OutOfSync' ? '↻' : '?'} {value}</span>;
}

export const shortSha = (revision: string | undefined) => (revision ? revision.slice(0, 7) : '—');

export function timeAgo(iso: string | undefined): string {
  if (!iso) return '—';
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (seconds < -5) {
    const ahead = -seconds;
    return ahead < 3_600 ? `in ${Math.round(ahead / 60)} min` : ahead < 172_800 ? `in ${Math.round(ahead / 3_600)} h` : new Date(iso).toLocaleString();
  }
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3_600)} h ago`;
  return new Date(iso).toLocaleString();
}
