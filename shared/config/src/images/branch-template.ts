import { createHash } from 'node:crypto';

/**
 * Argo CD Image Updater's templated write branch (`git-branch: base:image-updater{{range .Images}}-{{.Name}}-{{.NewTag}}{{end}}`):
 * the subset of Go templates its documentation uses. Fields: `.AppName`, `.SHA256` (of the change list, as Image Updater
 * hashes it), and inside `{{range .Images}}…{{end}}`: `.Name`, `.Alias`, `.OldTag`, `.NewTag`. Whitespace-trimming markers
 * `{{-` / `-}}` are honoured.
 */
export interface BranchTemplateImage {
  name: string;
  alias: string;
  oldTag: string;
  newTag: string;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'field'; field: string }
  | { kind: 'range'; body: Node[] };

const topFields = new Set(['AppName', 'SHA256']);
const imageFields = new Set(['Name', 'Alias', 'OldTag', 'NewTag']);

/** Whether a branch name is a template rather than a fixed name. */
export function isBranchTemplate(branch: string): boolean {
  return branch.includes('{{');
}

/** Parses a template; throws an Error naming the first unsupported action. */
function parse(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  const actions = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let match = actions.exec(template); match; match = actions.exec(template)) {
    let text = template.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1] === '-') text = text.replace(/\s+$/, '');
    if (text) stack[stack.length - 1].push({ kind: 'text', text });
    trimNext = match[3] === '-';
    last = match.index + match[0].length;
    const action = match[2];
    const inRange = stack.length > 1;
    if (/^range\s+\.Images$/.test(action)) {
      if (inRange) throw new Error('a range inside a range is not supported');
      const body: Node[] = [];
      stack[stack.length - 1].push({ kind: 'range', body });
      stack.push(body);
    } else if (action === 'end') {
      if (!inRange) throw new Error('{{end}} without {{range .Images}}');
      stack.pop();
    } else if (/^\.\w+$/.test(action)) {
      const field = action.slice(1);
      if (!(inRange ? imageFields : topFields).has(field)) {
        throw new Error(`{{.${field}}} is not available ${inRange ? 'inside {{range .Images}} (use .Name, .Alias, .OldTag, .NewTag)' : '(use .AppName, .SHA256 or {{range .Images}})'}`);
      }
      stack[stack.length - 1].push({ kind: 'field', field });
    } else {
      throw new Error(`{{${action}}} is not supported (only fields and {{range .Images}}…{{end}})`);
    }
  }
  let tail = template.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  if (tail) stack[stack.length - 1].push({ kind: 'text', text: tail });
  if (stack.length > 1) throw new Error('{{range .Images}} without {{end}}');
  return root;
}

/** The problem with a branch template, or undefined when Tidewater can render it. */
export function branchTemplateProblem(template: string): string | undefined {
  try {
    parse(template);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Image Updater's `.SHA256`: sha256 over `<name>-<old>-<new>,` of each change, hex. */
export function changeListSha256(images: readonly BranchTemplateImage[]): string {
  const hash = createHash('sha256');
  for (const image of images) hash.update(`${image.name}-${image.oldTag}-${image.newTag},`);
  return hash.digest('hex');
}

/** Renders a branch template for one change list (at most 255 characters, as Image Updater truncates). */
export function renderBranchTemplate(template: string, values: { appName: string; images: readonly BranchTemplateImage[] }): string {
  const sha = changeListSha256(values.images);
  const render = (nodes: Node[], image?: BranchTemplateImage): string => nodes.map((node) => {
    if (node.kind === 'text') return node.text;
    if (node.kind === 'range') return values.images.map((each) => render(node.body, each)).join('');
    if (image) return { Name: image.name, Alias: image.alias, OldTag: image.oldTag, NewTag: image.newTag }[node.field] ?? '';
    return node.field === 'AppName' ? values.appName : sha;
  }).join('');
  return render(parse(template)).slice(0, 255);
}
