/**
 * The thinking and tools parts of a generateContent request, checked as Google checks them:
 * - `thinkingLevel` together with `thinkingBudget` is a 400 ("Unable to submit request because thinking_budget and
 *   thinking_level are not supported together", gemini-api.md item 7); a level the model does not take reads
 *   "Thinking level MEDIUM is not supported for this model. Please retry with other thinking level." (ibid.);
 *   Pro takes no level at all ("Thinking level is not supported for this model", BerriAI/litellm PR #17027).
 * - `tools`: the fields of `Tool`, `GoogleSearch` and `SearchTypes` in the SDK types (@google/genai 3.6.1
 *   genai.d.ts); anything else is refused like an unknown field elsewhere. Image search
 *   (`googleSearch.searchTypes.imageSearch`) exists on the 3.1 Flash Image family only.
 * @module
 */
import { fieldError, invalidArgument, invalidEnum } from './errors.js';
import type { AnyModel } from './models.js';
import { fields, type Json } from './protoJson.js';

const MIME_TYPES = new Set(['text/plain', 'application/json', 'text/x.enum']);
const THINKING_LEVELS = new Set(['THINKING_LEVEL_UNSPECIFIED', 'MINIMAL', 'LOW', 'MEDIUM', 'HIGH']);
const TOOL_FIELDS = new Set([
  'functionDeclarations',
  'retrieval',
  'googleSearchRetrieval',
  'googleSearch',
  'codeExecution',
  'urlContext',
  'googleMaps',
  'computerUse',
  'fileSearch',
  'enterpriseWebSearch',
  'mcpServers',
]);
const GOOGLE_SEARCH_FIELDS = new Set(['searchTypes', 'timeRangeFilter', 'excludeDomains', 'blockingConfidence']);
const SEARCH_TYPES = new Set(['webSearch', 'imageSearch']);

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function readThinking(config: Json, model: AnyModel): { includeThoughts: boolean; thinkingLevel: string } {
  const includeThoughts = config.includeThoughts === true;
  const raw = config.thinkingLevel;
  const defaultLevel = model.kind === 'image' ? model.defaultThinkingLevel : 'HIGH';
  if (raw !== undefined && config.thinkingBudget !== undefined) {
    throw invalidArgument(
      'Unable to submit request because thinking_budget and thinking_level are not supported together',
    );
  }
  if (raw === undefined) return { includeThoughts, thinkingLevel: defaultLevel };
  const level = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (!THINKING_LEVELS.has(level)) {
    throw invalidEnum('generation_config.thinking_config.thinking_level', 'ThinkingConfig.ThinkingLevel', raw);
  }
  if (model.kind === 'text')
    return { includeThoughts, thinkingLevel: level === 'THINKING_LEVEL_UNSPECIFIED' ? 'HIGH' : level };
  if (model.thinkingLevels === null) throw invalidArgument('Thinking level is not supported for this model.');
  if (level === 'THINKING_LEVEL_UNSPECIFIED') return { includeThoughts, thinkingLevel: defaultLevel };
  if (!model.thinkingLevels.includes(level)) {
    throw invalidArgument(
      `Thinking level ${level} is not supported for this model. Please retry with other thinking level.`,
    );
  }
  return { includeThoughts, thinkingLevel: level };
}

export interface ToolChoice {
  grounding: boolean;
  webSearch: boolean;
  imageSearch: boolean;
}

export function readTools(value: unknown, model: AnyModel): ToolChoice {
  const none = { grounding: false, webSearch: false, imageSearch: false };
  if (value === undefined) return none;
  if (!Array.isArray(value)) throw invalidArgument("Invalid JSON payload received. Expected an array at 'tools'.");
  const choice = { ...none };
  value.forEach((raw, i) => {
    const tool = fields(raw, TOOL_FIELDS, `tools[${i}]`);
    if (tool.googleSearchRetrieval !== undefined) {
      choice.grounding = true;
      choice.webSearch = true;
    }
    if (tool.googleSearch === undefined) return;
    const search = fields(tool.googleSearch, GOOGLE_SEARCH_FIELDS, `tools[${i}].google_search`);
    choice.grounding = true;
    if (search.searchTypes === undefined) {
      choice.webSearch = true;
      return;
    }
    const types = fields(search.searchTypes, SEARCH_TYPES, `tools[${i}].google_search.search_types`);
    if (types.webSearch !== undefined) choice.webSearch = true;
    if (types.imageSearch !== undefined) choice.imageSearch = true;
    if (types.webSearch === undefined && types.imageSearch === undefined) choice.webSearch = true;
  });
  if (choice.grounding && model.kind === 'image' && !model.grounding) {
    throw invalidArgument(`Search grounding is not supported for models/${model.id}.`);
  }
  if (choice.imageSearch && model.kind === 'image' && !model.imageSearch) {
    throw invalidArgument(`Image search is not supported for models/${model.id}.`);
  }
  return choice;
}

export function readStructured(config: Json, model: AnyModel): { responseMimeType: string; schema: unknown } {
  const mime = config.responseMimeType;
  const responseMimeType = typeof mime === 'string' && mime !== '' ? mime : 'text/plain';
  if (!MIME_TYPES.has(responseMimeType)) {
    throw fieldError(
      'generation_config.response_mime_type',
      'allowed mimetypes are `text/plain`, `application/json` and `text/x.enum`.',
    );
  }
  const schemaFields = ['responseSchema', 'responseJsonSchema', '_responseJsonSchema'].filter(
    (k) => config[k] !== undefined,
  );
  if (schemaFields.length > 1) {
    throw invalidArgument('Only one of response_schema and response_json_schema can be set.');
  }
  const schemaField = schemaFields[0];
  if (schemaField && responseMimeType === 'text/plain') {
    throw fieldError(
      `generation_config.${snake(schemaField)}`,
      'response_mime_type must be application/json or text/x.enum when a response schema is set.',
    );
  }
  if (model.kind === 'image' && responseMimeType !== 'text/plain') {
    throw invalidArgument(`JSON mode is not enabled for models/${model.id}`);
  }
  return { responseMimeType, schema: schemaField ? config[schemaField] : undefined };
}
