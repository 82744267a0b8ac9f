// Writes the settings declared in src/core/settings.ts into package.json (run after changing them).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { manifestProperties } = require('../out/src/core/settings.js');
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
manifest.contributes.configuration.properties = manifestProperties();
writeFileSync('package.json', JSON.stringify(manifest, null, 2) + '\n');
console.log('package.json settings updated');
