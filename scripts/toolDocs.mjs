#!/usr/bin/env node
// Renders the README's tool reference from the tool definitions themselves (dist/), between the
// <!-- tools:start --> and <!-- tools:end --> markers. `--check` fails when the README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { galleryTools } from '../dist/tools/galleryTools.js';
import { imageTools } from '../dist/tools/imageTools.js';
import { libraryTools } from '../dist/tools/libraryTool.js';
import { pipelineTools } from '../dist/tools/pipelineTools.js';
import { uploadTools } from '../dist/tools/uploadTools.js';

const README = path.resolve(import.meta.dirname, '../README.md');
// The same order as the server registers them.
const tools = [...imageTools, ...pipelineTools, ...galleryTools, ...uploadTools, ...libraryTools];

const lines = ['| Tool | When the assistant uses it | Parameters |', '|---|---|---|'];
for (const tool of tools) {
  const schema = z.toJSONSchema(tool.inputSchema, { io: 'input' });
  const required = new Set(schema.required ?? []);
  const params = Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const type = prop.enum
      ? prop.enum.join(' \\| ')
      : prop.type === 'array'
        ? `${prop.items?.type ?? 'any'}[]`
        : prop.type;
    const flags = [
      type,
      required.has(name) ? 'required' : undefined,
      prop.default !== undefined ? `default ${prop.default}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    return `\`${name}\` (${flags}): ${escapeCell(prop.description ?? '')}`;
  });
  lines.push(`| \`${tool.name}\` | ${escapeCell(tool.description)} | ${params.join('<br>')} |`);
}
const table = lines.join('\n');

const readme = readFileSync(README, 'utf8');
const pattern = /(<!-- tools:start -->)[\s\S]*?(<!-- tools:end -->)/;
if (!pattern.test(readme)) throw new Error('README.md lacks the <!-- tools:start --> / <!-- tools:end --> markers');
const next = readme.replace(pattern, `$1\n${table}\n$2`);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    process.stderr.write('README.md tool reference is stale: run `npm run docs` and commit the result.\n');
    process.exit(1);
  }
  process.stderr.write('tool docs: ok\n');
} else {
  writeFileSync(README, next);
  process.stderr.write('README.md tool reference updated\n');
}

function escapeCell(text) {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
