/** Regenerates schema/stack-config.schema.json from the zod schema (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackFileJsonSchemaText } from '../components/config/json-schema';

const target = join(__dirname, '..', '..', 'schema', 'stack-config.schema.json');
writeFileSync(target, stackFileJsonSchemaText());
console.log(`wrote ${target}`);
