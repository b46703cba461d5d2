import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateUiApiTypes, uiApiTypesFile } from './support/openapi-types.ts';

describe('the web UI\'s generated API types', () => {
  it('match the api\'s current OpenAPI document (else: npm run openapi -w @tidewater/ui, and commit)', async () => {
    const current = await generateUiApiTypes();
    const committed = readFileSync(uiApiTypesFile, 'utf8');
    expect(committed === current, `${uiApiTypesFile} is stale: run \`npm run openapi -w @tidewater/ui\` and commit the result`).toBe(true);
  });
});
