// Decoded once per body: the signature check (octokit's verify takes a string) and the JSON parse both need it.
const texts = new WeakMap<Buffer, string>();

/** The UTF-8 text of a raw webhook body. */
export function bodyText(rawBody: Buffer): string {
  let text = texts.get(rawBody);
  if (text === undefined) {
    text = rawBody.toString('utf8');
    texts.set(rawBody, text);
  }
  return text;
}
