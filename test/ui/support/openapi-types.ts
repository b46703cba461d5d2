import openapiTS, { astToString } from 'openapi-typescript';
import { startApiFixture } from '../../e2e/api-fixture.ts';
import { repoRoot } from '../../harness/src/index.ts';
import { join } from 'node:path';

/** The generated API types of the web UI (committed; `npm run openapi -w @tidewater/ui` regenerates them). */
export const uiApiTypesFile = join(repoRoot, 'services/ui/web/api/openapi.ts');

/** The api's OpenAPI document, from the api built as it runs (real Redis), turned into TypeScript types. */
export async function generateUiApiTypes(): Promise<string> {
  const fixture = await startApiFixture();
  try {
    const response = await fixture.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const document = response.json() as Record<string, unknown>;
    const ast = await openapiTS(document as never, { alphabetize: true });
    return [
      '// Generated from the api\'s OpenAPI document (GET /api/openapi.json) by openapi-typescript. Do not edit:',
      '// regenerate with `npm run openapi -w @tidewater/ui` (test/ui/openapi-types.test.ts checks it is current).',
      '/* eslint-disable */',
      astToString(ast),
    ].join('\n');
  } finally {
    await fixture.close();
  }
}
