/**
 * Request validation for generateContent, in the order and with the messages of the real API: unknown fields,
 * contents and parts, generation config (modalities, thinking, image size and ratio per model), tools,
 * reference images, files and thought signatures in the history. Produces the normalised request the
 * responders work from.
 * @module
 */
import { fieldError, fileDenied, invalidArgument, invalidEnum, unknownField } from './errors.js';
import type { FileStore } from './fileStore.js';
import { fileIdFromUri } from './fileStore.js';
import { checkImageMime } from './imageMime.js';
import type { AnyModel, ImageModel } from './models.js';
import { readStructured, readThinking, readTools } from './requestConfig.js';
import { verifyPart } from './signatures.js';

export interface GenerateRequest {
  model: AnyModel;
  /** Text of the last user turn, directives included (they are part of what the client sent). */
  prompt: string;
  /** Every text in the request (system instruction and history), for prompt token counting. */
  allText: string;
  /** Every image part in the request (history included), for prompt token counting. */
  inputImages: number;
  /** Images in the last user turn. */
  referenceImages: number;
  ratio: string;
  size: string;
  seed: number;
  text: boolean;
  image: boolean;
  includeThoughts: boolean;
  thinkingLevel: string;
  grounding: boolean;
  /** `googleSearch.searchTypes.imageSearch` was asked for (3.1 Flash Image family). */
  imageSearch: boolean;
  /** Web results wanted (the default when `searchTypes` is absent). */
  webSearch: boolean;
  responseMimeType: string;
  schema: unknown;
}

type Json = Record<string, unknown>;

const TOP_LEVEL = new Set([
  'contents',
  'tools',
  'toolConfig',
  'safetySettings',
  'systemInstruction',
  'generationConfig',
  'cachedContent',
  'labels',
  'serviceTier',
  'model',
]);

const GENERATION_CONFIG = new Set([
  'stopSequences',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  '_responseJsonSchema',
  'responseModalities',
  'candidateCount',
  'maxOutputTokens',
  'temperature',
  'topP',
  'topK',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'speechConfig',
  'thinkingConfig',
  'imageConfig',
  'mediaResolution',
  'audioTranscriptionConfig',
  'enableAffectiveDialog',
  // Vertex AI only (the SDK refuses them client-side in Gemini API mode).
  'audioTimestamp',
  'routingConfig',
  'modelSelectionConfig',
]);

const IMAGE_CONFIG = new Set(['aspectRatio', 'imageSize']);
/** Vertex AI accepts output options the Gemini API rejects. */
const VERTEX_IMAGE_CONFIG = new Set([
  ...IMAGE_CONFIG,
  'personGeneration',
  'prominentPeople',
  'outputMimeType',
  'outputCompressionQuality',
  'imageOutputOptions',
]);
const THINKING_CONFIG = new Set(['includeThoughts', 'thinkingLevel', 'thinkingBudget']);
const PART_KEYS = new Set([
  'text',
  'inlineData',
  'fileData',
  'thought',
  'thoughtSignature',
  'functionCall',
  'functionResponse',
  'executableCode',
  'codeExecutionResult',
  'videoMetadata',
  'mediaResolution',
  'partMetadata',
]);
const MODALITIES = new Set(['TEXT', 'IMAGE', 'AUDIO']);

/** Proto JSON accepts both `response_modalities` and `responseModalities`. */
function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function normaliseKeys(value: unknown, allowed: Set<string>, at: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument(`Invalid JSON payload received. Expected an object at '${at}'.`);
  }
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = camel(key);
    if (!allowed.has(name)) throw unknownField(key, at);
    out[name] = inner;
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function quoteList(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')}, or ${quoted[quoted.length - 1]}`;
}

interface ContentInfo {
  role: string;
  parts: Json[];
}

export function validateGenerate(body: unknown, model: AnyModel, files: FileStore, vertex = false): GenerateRequest {
  const request = normaliseKeys(body, TOP_LEVEL, '');
  const contents = readContents(request.contents);
  const config = normaliseKeys(request.generationConfig, GENERATION_CONFIG, 'generation_config');
  const imageConfig = normaliseKeys(
    config.imageConfig,
    vertex ? VERTEX_IMAGE_CONFIG : IMAGE_CONFIG,
    'generation_config.image_config',
  );
  const thinkingConfig = normaliseKeys(config.thinkingConfig, THINKING_CONFIG, 'generation_config.thinking_config');

  const modalities = readModalities(config.responseModalities, model);
  const { includeThoughts, thinkingLevel } = readThinking(thinkingConfig, model);
  const { grounding, imageSearch, webSearch } = readTools(request.tools, model);
  const { responseMimeType, schema } = readStructured(config, model);

  if (typeof config.candidateCount === 'number' && config.candidateCount > 1 && model.kind === 'image') {
    throw invalidArgument(`Multiple candidates is not enabled for models/${model.id}`);
  }

  let ratio = '1:1';
  let size = '1K';
  if (model.kind === 'image') {
    ({ ratio, size } = readImageConfig(imageConfig, model));
  }

  // Parts: files must exist, images are counted, model turns must carry valid signatures.
  let inputImages = 0;
  let referenceImages = 0;
  const texts: string[] = [];
  const lastUser = findLastUser(contents);
  contents.forEach((content, i) => {
    content.parts.forEach((part, j) => {
      const isImage = checkPart(part, files, content.role);
      if (isImage) inputImages += 1;
      if (isImage && i === lastUser) referenceImages += 1;
      if (typeof part.text === 'string' && part.thought !== true) texts.push(part.text);
      if (content.role === 'model' && model.kind === 'image' && model.thinks) {
        checkSignature(part, model, i, j);
      }
    });
  });
  if (model.kind === 'image' && referenceImages > model.maxReferenceImages) {
    throw invalidArgument(
      `Too many input images: the request contains ${referenceImages} images, but models/${model.id} accepts at most ${model.maxReferenceImages}.`,
    );
  }

  const prompt = (contents[lastUser]?.parts ?? [])
    .filter((p) => typeof p.text === 'string' && p.thought !== true)
    .map((p) => p.text as string)
    .join('\n');
  const system = isObject(request.systemInstruction)
    ? readParts(request.systemInstruction.parts, 'system_instruction')
    : [];
  for (const part of system) if (typeof part.text === 'string') texts.push(part.text);

  return {
    model,
    prompt,
    allText: texts.join('\n'),
    inputImages,
    referenceImages,
    ratio,
    size,
    seed: typeof config.seed === 'number' ? config.seed : 0,
    text: modalities.has('TEXT'),
    image: modalities.has('IMAGE'),
    includeThoughts,
    thinkingLevel,
    grounding,
    imageSearch,
    webSearch,
    responseMimeType,
    schema,
  };
}

function readContents(value: unknown): ContentInfo[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw fieldError('contents', 'contents is not specified');
  }
  return value.map((content, i) => {
    if (!isObject(content))
      throw invalidArgument(`Invalid JSON payload received. Expected an object at 'contents[${i}]'.`);
    const role = content.role === undefined ? 'user' : content.role;
    if (role !== 'user' && role !== 'model') throw invalidArgument('Please use a valid role: user, model.');
    return { role, parts: readParts(content.parts, `contents[${i}]`) };
  });
}

function readParts(value: unknown, at: string): Json[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw fieldError(`${at}.parts`, 'contents.parts must not be empty.');
  }
  return value.map((part, j) => {
    if (!isObject(part))
      throw invalidArgument(`Invalid JSON payload received. Expected an object at '${at}.parts[${j}]'.`);
    const out: Json = {};
    for (const [key, inner] of Object.entries(part)) {
      const name = camel(key);
      if (!PART_KEYS.has(name)) throw unknownField(key, `${at}.parts[${j}]`);
      out[name] = inner;
    }
    const data = [
      'text',
      'inlineData',
      'fileData',
      'functionCall',
      'functionResponse',
      'executableCode',
      'codeExecutionResult',
    ];
    if (!data.some((k) => k in out)) {
      throw fieldError(`${at}.parts[${j}].data`, "required oneof field 'data' must have one initialized field");
    }
    return out;
  });
}

function findLastUser(contents: ContentInfo[]): number {
  for (let i = contents.length - 1; i >= 0; i--) if (contents[i]?.role === 'user') return i;
  return contents.length - 1;
}

/** Validates data parts; returns whether the part is an image. */
function checkPart(part: Json, files: FileStore, role: string): boolean {
  if (part.inlineData !== undefined) {
    const inline = isObject(part.inlineData) ? part.inlineData : {};
    const mimeType =
      typeof (inline.mimeType ?? inline.mime_type) === 'string' ? String(inline.mimeType ?? inline.mime_type) : '';
    const data = inline.data;
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(data.slice(-64))) {
      throw invalidArgument("Invalid value at 'contents.parts.inline_data.data' (TYPE_BYTES), Base64 decoding failed.");
    }
    if (!mimeType) throw fieldError('contents.parts.inline_data.mime_type', 'mime_type is required.');
    // The model's own images come back in the history as Google labelled them (JPEG bytes as image/png).
    if (role === 'user') checkImageMime(mimeType, data);
    return mimeType.startsWith('image/');
  }
  if (part.fileData !== undefined) {
    const fileData = isObject(part.fileData) ? part.fileData : {};
    const uri = fileData.fileUri ?? fileData.file_uri;
    if (typeof uri !== 'string' || uri === '')
      throw fieldError('contents.parts.file_data.file_uri', 'file_uri is required.');
    const id = fileIdFromUri(uri);
    const file = files.get(id);
    if (!file) throw fileDenied(id);
    if (files.state(file) !== 'ACTIVE') {
      throw invalidArgument(`The File ${id} is not in an ACTIVE state and usage is not allowed.`);
    }
    const mimeType = typeof fileData.mimeType === 'string' ? fileData.mimeType : file.mimeType;
    checkImageMime(mimeType, undefined);
    return mimeType.startsWith('image/');
  }
  return false;
}

/**
 * Gemini 3 image models sign their answers. Positions in the message are 1-based, as in Google's message
 * ("content position 2, part position 1" is the first part of the second content).
 */
function checkSignature(part: Json, model: ImageModel, contentIndex: number, partIndex: number): void {
  if (part.thought === true) return;
  const inline = isObject(part.inlineData) ? part.inlineData : undefined;
  const isImage = inline !== undefined && typeof inline.mimeType === 'string' && inline.mimeType.startsWith('image/');
  const signature = part.thoughtSignature;
  if (signature === undefined || signature === '') {
    if (isImage && model.enforcesSignatures) {
      throw invalidArgument(
        `Image part is missing a thought_signature in content position ${contentIndex + 1}, part position ${partIndex + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures#model-behavior for more details.`,
      );
    }
    return;
  }
  if (typeof signature !== 'string') throw invalidArgument('Corrupted thought signature.');
  let check: ReturnType<typeof verifyPart>;
  if (isImage && inline) check = verifyPart(signature, model.id, 'image', String(inline.data ?? ''));
  else if (typeof part.text === 'string') check = verifyPart(signature, model.id, 'text', part.text);
  else check = verifyPart(signature, model.id, 'text', '');
  if (check !== 'valid' && check !== 'bypass') throw invalidArgument('Corrupted thought signature.');
}

function readModalities(value: unknown, model: AnyModel): Set<string> {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) {
    return new Set(model.kind === 'image' ? ['TEXT', 'IMAGE'] : ['TEXT']);
  }
  if (!Array.isArray(value)) {
    throw invalidEnum('generation_config.response_modalities', 'GenerationConfig.Modality', value);
  }
  const out = new Set<string>();
  value.forEach((entry, i) => {
    const name = typeof entry === 'string' ? entry.toUpperCase() : '';
    if (!MODALITIES.has(name)) {
      throw invalidEnum(`generation_config.response_modalities[${i}]`, 'GenerationConfig.Modality', entry);
    }
    out.add(name);
  });
  const supported = model.kind === 'image' ? ['TEXT', 'IMAGE'] : ['TEXT'];
  if ([...out].some((m) => !supported.includes(m))) {
    const accepted = model.kind === 'image' ? '* TEXT\n* IMAGE\n* TEXT, IMAGE\n' : '* TEXT\n';
    throw invalidArgument(
      `The requested combination of response modalities (${[...out].join(', ')}) is not supported by the model. models/${model.id} accepts the following combination of response modalities:\n${accepted}`,
    );
  }
  return out;
}

function readImageConfig(config: Json, model: ImageModel): { ratio: string; size: string } {
  const ratio = config.aspectRatio;
  if (ratio !== undefined && (typeof ratio !== 'string' || !model.ratios.includes(ratio))) {
    throw fieldError(
      'generation_config.image_config.aspect_ratio',
      `aspect_ratio must be one of ${quoteList(model.ratios)}.`,
    );
  }
  const size = config.imageSize;
  if (size !== undefined) {
    if (model.sizes.length === 0) {
      throw fieldError(
        'generation_config.image_config.image_size',
        `image_size is not supported by models/${model.id}.`,
      );
    }
    if (typeof size !== 'string' || !model.sizes.includes(size)) {
      throw fieldError(
        'generation_config.image_config.image_size',
        `image_size must be one of ${quoteList(model.sizes)}.`,
      );
    }
  }
  return { ratio: typeof ratio === 'string' ? ratio : '1:1', size: typeof size === 'string' ? size : '1K' };
}
