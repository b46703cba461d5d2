export const syncWaveAnnotation = 'argocd.argoproj.io/sync-wave';
const helmHookWeightAnnotation = 'helm.sh/hook-weight';

/**
 * A manifest's sync wave: the integer in `argocd.argoproj.io/sync-wave`, else Helm's `helm.sh/hook-weight`
 * (as gitops-engine does), else 0. A value that is not an integer counts as absent.
 */
export function syncWaveOf(manifest: unknown): number {
  const annotations = (manifest as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations;
  return parseWave(annotations?.[syncWaveAnnotation]) ?? parseWave(annotations?.[helmHookWeightAnnotation]) ?? 0;
}

function parseWave(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[+-]?\d+$/.test(value)) return undefined;
  const wave = Number.parseInt(value, 10);
  return Number.isSafeInteger(wave) ? wave : undefined;
}
