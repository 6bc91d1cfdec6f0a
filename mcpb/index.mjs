#!/usr/bin/env node
// Entry point of the Claude Desktop bundle (.mcpb); scripts/buildMcpb.mjs stages it as server/index.mjs,
// next to the package's dist/. Claude Desktop builds the server's environment from the manifest's
// `${user_config.…}` placeholders, and a setting the person left empty arrives either as an empty string or
// as the placeholder itself, unreplaced. Both mean "not set": drop them so the server's own defaults apply
// (the per-user data folder, for one) instead of a folder literally named "${user_config.data_dir}".
const PLACEHOLDER = /\$\{user_config\.[^}]*\}/;
for (const [name, value] of Object.entries(process.env)) {
  if (!/^(STUDIO|GEMINI|GOOGLE)_/.test(name) || value === undefined) continue;
  if (value.trim() === '' || PLACEHOLDER.test(value)) delete process.env[name];
}
await import('../dist/cli/main.js');
