#!/usr/bin/env node
// Renders the README's tool reference from the tool definitions themselves (dist/), between the
// <!-- tools:start --> and <!-- tools:end --> markers, and its settings table from the settings' one
// declaration (src/config/settings.ts), between <!-- settings:start --> and <!-- settings:end -->.
// `--check` fails when either is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SETTINGS } from '../dist/config/settings.js';
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

const settings = settingsTable();

const readme = readFileSync(README, 'utf8');
let next = readme;
for (const [name, content] of [
  ['tools', table],
  ['settings', settings],
]) {
  const pattern = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!pattern.test(next)) throw new Error(`README.md lacks the <!-- ${name}:start --> / <!-- ${name}:end --> markers`);
  next = next.replace(pattern, (_all, start, end) => `${start}\n${content}\n${end}`);
}
if (process.argv.includes('--check')) {
  if (next !== readme) {
    process.stderr.write(
      'README.md tool reference or settings table is stale: run `npm run docs` and commit the result.\n',
    );
    process.exit(1);
  }
  process.stderr.write('tool docs: ok\n');
} else {
  writeFileSync(README, next);
  process.stderr.write('README.md tool reference and settings table updated\n');
}

/** One row per setting, in the declaration's order: key, flag, environment variables, default, meaning. */
function settingsTable() {
  const rows = ['| Config key | Flag | Environment | Default | Meaning |', '|---|---|---|---|---|'];
  for (const [key, s] of Object.entries(SETTINGS)) {
    const env = s.doc.env ?? (s.env ?? []).map((name) => `\`${name}\``).join(', else ');
    const flag = s.flag ? `\`--${s.flag.name}\`` : '—';
    const cells = [`\`${key}\``, flag, env || '—', s.doc.default ?? defaultText(s.default), s.doc.meaning];
    rows.push(`| ${cells.map(escapeCell).join(' | ')} |`);
  }
  return rows.join('\n');
}

function defaultText(value) {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string') return `\`${value}\``;
  return String(value);
}

function escapeCell(text) {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
