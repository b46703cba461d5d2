import { lazy, Suspense, type ComponentProps } from 'react';

const DiffView = lazy(() => import('./diff-view.tsx'));

/** The diff component, loaded with its library only when a diff is shown. */
export function LazyDiff(props: ComponentProps<typeof DiffView>) {
  return <Suspense fallback={<p>Loading the diff…</p>}><DiffView {...props} /></Suspense>;
}
