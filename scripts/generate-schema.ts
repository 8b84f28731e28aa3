/** `npm run schema`: regenerate schema/*.schema.json from the zod schemas. */
import { writeJsonSchemas } from '../src/schema/json-schema.js';

for (const file of writeJsonSchemas()) console.log(`wrote ${file}`);
