import type { ImageChange } from './image-change.ts';

/**
 * A line carrying a Flux setter marker: `<key>: <value> # {"$imagepolicy": "<ns>:<name>[:tag|:name|:digest]"}`
 * (list items too). Groups: prefix, quote, value, marker comment, policy reference.
 */
const markerLine = /^(\s*(?:-\s+)?[^\s#:][^#\n]*?:\s+)(["']?)([^"'\s#]*)\2(\s*#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}[^\n]*)$/gm;

/** The tag the markers for `marker` (`<ns>:<name>`) set now, if any. */
export function currentSetterTag(text: string, marker: string): { tag?: string; digest?: string } | undefined {
  for (const match of text.matchAll(markerLine)) {
    const [, , , value, , reference] = match;
    if (reference === `${marker}:tag`) return { tag: value };
    if (reference === `${marker}:digest`) return { digest: value };
    if (reference === marker) {
      const at = value.indexOf('@');
      const withoutDigest = at >= 0 ? value.slice(0, at) : value;
      const colon = withoutDigest.lastIndexOf(':');
      if (colon > withoutDigest.lastIndexOf('/')) return { tag: withoutDigest.slice(colon + 1), ...(at >= 0 ? { digest: value.slice(at + 1) } : {}) };
    }
  }
  return undefined;
}

/** Rewrites every value marked for `marker`, as Flux's setters strategy does; other lines untouched. */
export function setSetterMarkers(text: string, marker: string, change: ImageChange): string {
  return text.replace(markerLine, (line, prefix: string, quote: string, _value: string, comment: string, reference: string) => {
    let next: string | undefined;
    if (reference === marker) next = `${change.image}:${change.newTag}`;
    else if (reference === `${marker}:tag`) next = change.newTag;
    else if (reference === `${marker}:name`) next = change.image;
    else if (reference === `${marker}:digest` && change.newDigest) next = change.newDigest;
    return next === undefined ? line : `${prefix}${quote}${next}${quote}${comment}`;
  });
}
