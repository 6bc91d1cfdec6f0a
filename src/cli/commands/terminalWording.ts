/**
 * Core's messages are written for MCP tools ("Call list_images to see the ids…"); a person at a terminal
 * gets the command that does the same.
 * @module
 */
const FOR_TERMINAL: Array<[RegExp, string]> = [
  [/\bCall list_images\b/g, 'Run nanobanana-studio list'],
  [/\bcall list_images\b/g, 'run nanobanana-studio list'],
  [/\blist_images\b/g, 'nanobanana-studio list'],
  [/\bimage_info\b/g, 'nanobanana-studio open'],
];

export function forTerminal(message: string): string {
  return FOR_TERMINAL.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), message);
}
