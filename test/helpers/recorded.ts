/** The recorded real Responses API traffic the tests check against (see test/fixtures/openai-responses/README.md). */
import path from 'node:path';

export const RECORDED_DIR = path.resolve(__dirname, '..', 'fixtures', 'openai-responses', 'recorded');
