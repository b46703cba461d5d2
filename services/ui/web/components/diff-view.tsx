import { diffLines } from 'diff';
import { useMemo, useState } from 'react';

interface Line {
  kind: 'same' | 'added' | 'removed';
  left?: number;
  right?: number;
  text: string;
}

function linesOf(before: string, after: string): Line[] {
  const lines: Line[] = [];
  let left = 1;
  let right = 1;
  for (const part of diffLines(before, after)) {
    const texts = part.value.replace(/\n$/, '').split('\n');
    for (const text of texts) {
      if (part.added) lines.push({ kind: 'added', right: right++, text });
      else if (part.removed) lines.push({ kind: 'removed', left: left++, text });
      else lines.push({ kind: 'same', left: left++, right: right++, text });
    }
  }
  return lines;
}

/**
 * The whole of two texts with their differences marked (no hidden parts: every line is there, unchanged runs can be
 * folded but are never dropped). Loaded on demand with the `diff` library.
 */
export function DiffView({ before, after, beforeLabel, afterLabel }: { before: string; after: string; beforeLabel: string; afterLabel: string }) {
  const lines = useMemo(() => linesOf(before, after), [before, after]);
  const [folded, setFolded] = useState(false);
  const changed = lines.filter((line) => line.kind !== 'same').length;
  const shown = folded ? lines.filter((line, index) => line.kind !== 'same'
    || lines.slice(Math.max(index - 3, 0), index + 4).some((near) => near.kind !== 'same')) : lines;
  return (
    <div className="diff" data-testid="diff">
      <div className="diff-head">
        <span><span className="removed-mark">− {beforeLabel}</span> <span className="added-mark">+ {afterLabel}</span></span>
        <span>{changed === 0 ? 'no differences' : `${changed} changed line${changed === 1 ? '' : 's'}`}</span>
        <label><input type="checkbox" checked={folded} onChange={() => setFolded(!folded)} /> only changes with context</label>
      </div>
      <pre className="diff-body" tabIndex={0} aria-label={`differences from ${beforeLabel} to ${afterLabel}`}>
        {shown.map((line, index) => (
          <div key={index} className={`diff-line ${line.kind}`}>
            <span className="ln">{line.left ?? ''}</span><span className="ln">{line.right ?? ''}</span>
            <span className="sign">{line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : ' '}</span>
            <span className="text">{line.text}</span>
          </div>
        ))}
      </pre>
    </div>
  );
}

export default DiffView;
