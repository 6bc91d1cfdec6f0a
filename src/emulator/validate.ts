/**
 * Request validation for generateContent, in the order and with the messages of the real API: unknown fields,
 * contents and parts (requestContents.ts: reference images, files and thought signatures in the history),
 * generation config (modalities, image size and ratio per model here; thinking, tools and structured output
 * in requestConfig.ts). Produces the normalised request the responders work from.
 * @module
 */
import { fieldError, invalidArgument, invalidEnum } from './errors.js';
import type { FileStore } from './fileStore.js';
import type { AnyModel, ImageModel } from './models.js';
import { fields, isObject, type Json } from './protoJson.js';
import { readStructured, readThinking, readTools } from './requestConfig.js';
import { checkPart, checkSignature, findLastUser, readContents, readParts } from './requestContents.js';

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
const MODALITIES = new Set(['TEXT', 'IMAGE', 'AUDIO']);

function quoteList(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')}, or ${quoted[quoted.length - 1]}`;
}

export function validateGenerate(body: unknown, model: AnyModel, files: FileStore, vertex = false): GenerateRequest {
  const request = fields(body, TOP_LEVEL, '');
  const contents = readContents(request.contents);
  const config = fields(request.generationConfig, GENERATION_CONFIG, 'generation_config');
  const imageConfig = fields(
    config.imageConfig,
    vertex ? VERTEX_IMAGE_CONFIG : IMAGE_CONFIG,
    'generation_config.image_config',
  );
  const thinkingConfig = fields(config.thinkingConfig, THINKING_CONFIG, 'generation_config.thinking_config');

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
