// Regenerates services/ui/web/api/openapi.ts, the web UI's types of the API, from the api's OpenAPI document.
import { writeFileSync } from 'node:fs';
import { generateUiApiTypes, uiApiTypesFile } from '../test/ui/support/openapi-types.ts';

writeFileSync(uiApiTypesFile, await generateUiApiTypes());
console.log(`[ui-openapi] wrote ${uiApiTypesFile}`);
process.exit(0);
