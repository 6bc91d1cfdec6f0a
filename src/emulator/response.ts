/**
 * Builds GenerateContentResponse bodies the way Gemini lays them out (§4–§6 of the reference): thought parts
 * first, signatures on the first answer text and every answer image, usage with per-modality details, and the
 * same answer cut into SSE chunks for streaming (image never split, running usage totals, a terminal chunk).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { stripDirectives } from './directives.js';
import { hash32, textTokens } from './hash.js';
import { imageTokensFor, pixelDims } from './models.js';
import type { ImageRenderer } from './render.js';
import { signPart } from './signatures.js';
import { sampleFromSchema } from './structured.js';
import type { PromptTokens } from './usage.js';
import { promptTokens, thoughtTokens, usageMetadata } from './usage.js';
import type { GenerateRequest } from './validate.js';

type Json = Record<string, unknown>;

/** One group of parts that streaming sends as one event. */
interface Segment {
  parts: Json[];
  imageTokens: number;
  textTokens: number;
}

export interface Answer {
  responseId: string;
  modelVersion: string;
  prompt: PromptTokens;
  segments: Segment[];
  thoughts: number;
  toolUse: number;
  grounding: Json | undefined;
  /** Image answers end their stream with an empty-content chunk that carries only the finish reason. */
  trailingFinishChunk: boolean;
  /** Plain-text answers arrive in a couple of pieces when streamed (one part when not). */
  splitLastText: boolean;
  imagesReturned: number;
  renderMs: number;
}

export type ContentOutcome = { kind: 'normal' } | { kind: 'text-only' };

function newResponseId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

function excerpt(text: string, max = 120): string {
  const clean = stripDirectives(text) || 'your request';
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function baseAnswer(request: GenerateRequest): Answer {
  const perImage = request.model.kind === 'image' ? request.model.inputImageTokens : 258;
  return {
    responseId: newResponseId(),
    modelVersion: request.model.id,
    prompt: promptTokens(request.allText, request.inputImages, perImage),
    segments: [],
    thoughts: 0,
    toolUse: 0,
    grounding: undefined,
    trailingFinishChunk: false,
    splitLastText: false,
    imagesReturned: 0,
    renderMs: 0,
  };
}

export async function imageAnswer(
  request: GenerateRequest,
  renderer: ImageRenderer,
  outcome: ContentOutcome,
  /** The picture to change, when the request carries one (sourceImage.ts). */
  source?: Buffer,
): Promise<Answer> {
  const model = request.model;
  if (model.kind !== 'image') throw new Error('imageAnswer needs an image model');
  const answer = baseAnswer(request);
  const subject = excerpt(request.prompt);
  const wantsImage = request.image && outcome.kind === 'normal';

  let image: { base64: string; tokens: number } | undefined;
  let draft: string | undefined;
  if (wantsImage) {
    const [width, height] = pixelDims(model, request.size, request.ratio);
    const input = {
      modelId: model.id,
      prompt: stripDirectives(request.prompt),
      sizeLabel: model.sizes.length > 0 ? request.size : '—',
      width,
      height,
      seed: request.seed,
      encoding: model.encoding,
      referenceCount: request.referenceImages,
      ...(source === undefined ? {} : { source }),
    };
    const rendered = await renderer.render(input);
    answer.renderMs = rendered.renderMs;
    image = { base64: rendered.base64, tokens: imageTokensFor(model, request.size) };
    if (model.thinks && request.includeThoughts) {
      const sketch = await renderer.renderDraft(input);
      answer.renderMs += sketch.renderMs;
      draft = sketch.base64;
    }
  }

  if (model.thinks) {
    answer.thoughts = thoughtTokens(request.thinkingLevel, request.prompt);
    if (request.includeThoughts) {
      answer.segments.push({
        parts: [
          {
            text: `**Planning the composition**\n\nI'm working out how to depict "${subject}": the framing, the light and the palette, before drafting the image.`,
            thought: true,
          },
        ],
        imageTokens: 0,
        textTokens: 0,
      });
      if (draft) {
        answer.segments.push({
          parts: [{ inlineData: { mimeType: 'image/png', data: draft }, thought: true }],
          imageTokens: 0,
          textTokens: 0,
        });
      }
    }
  }

  const mimeType = 'image/png'; // Gemini 3 labels its JPEG bytes image/png; 2.5 really sends PNG.
  const text =
    outcome.kind === 'text-only'
      ? `I can't create that image right now, but here is a description instead: ${subject}, with a balanced composition and soft natural light.`
      : request.text
        ? `Here is the image you asked for: ${subject}.`
        : undefined;
  if (text !== undefined) {
    const part: Json = { text };
    if (model.thinks) part.thoughtSignature = signPart(model.id, 'text', text);
    answer.segments.push({ parts: [part], imageTokens: 0, textTokens: textTokens(text) });
  }
  if (image) {
    const part: Json = { inlineData: { mimeType, data: image.base64 } };
    if (model.thinks) part.thoughtSignature = signPart(model.id, 'image', image.base64);
    answer.segments.push({ parts: [part], imageTokens: image.tokens, textTokens: 0 });
    answer.imagesReturned = 1;
  }
  answer.trailingFinishChunk = true;
  if (request.grounding) addGrounding(answer, request, text);
  return answer;
}

export function textAnswer(request: GenerateRequest): Answer {
  const answer = baseAnswer(request);
  const subject = excerpt(request.prompt, 400);
  let text: string;
  if (request.responseMimeType === 'application/json') {
    const value =
      request.schema === undefined
        ? { response: subject }
        : sampleFromSchema(request.schema, stripDirectives(request.prompt));
    text = JSON.stringify(value, null, 2);
  } else if (request.responseMimeType === 'text/x.enum') {
    const value = sampleFromSchema(request.schema ?? { type: 'string' }, stripDirectives(request.prompt));
    text = typeof value === 'string' ? value : JSON.stringify(value);
  } else {
    text = `Emulated answer from ${request.model.id}: ${subject}`;
  }
  answer.thoughts = thoughtTokens(request.thinkingLevel, request.prompt);
  if (request.includeThoughts) {
    answer.segments.push({
      parts: [
        {
          text: `**Considering the request**\n\nI'm thinking about how best to answer "${excerpt(request.prompt, 80)}".`,
          thought: true,
        },
      ],
      imageTokens: 0,
      textTokens: 0,
    });
  }
  answer.segments.push({ parts: [{ text }], imageTokens: 0, textTokens: textTokens(text) });
  // Streams deliver plain text in pieces; JSON stays whole so that every chunk boundary is a value boundary.
  answer.splitLastText = request.responseMimeType === 'text/plain';
  if (request.grounding) addGrounding(answer, request, text);
  return answer;
}

function splitSegment(segment: Segment): Segment[] {
  const text = segment.parts[0]?.text;
  if (segment.parts.length !== 1 || typeof text !== 'string') return [segment];
  const middle = text.indexOf(' ', Math.floor(text.length / 2));
  if (middle <= 0) return [segment];
  const head = text.slice(0, middle);
  const headTokens = Math.min(segment.textTokens, textTokens(head));
  return [
    { parts: [{ text: head }], imageTokens: 0, textTokens: headTokens },
    { parts: [{ text: text.slice(middle) }], imageTokens: 0, textTokens: segment.textTokens - headTokens },
  ];
}

function addGrounding(answer: Answer, request: GenerateRequest, text: string | undefined): void {
  const subject = excerpt(request.prompt, 60);
  const slug = subject
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  const h = hash32(subject).toString(36);
  const web = request.webSearch || !request.imageSearch;
  const chunks: Json[] = web
    ? [0, 1, 2].map((i) => ({
        web: {
          uri: `https://example.com/${['news', 'wiki', 'guide'][i]}/${slug || 'topic'}-${h}`,
          title: 'example.com',
        },
      }))
    : [];
  // Image search (3.1 Flash Image): image chunks as typed in the SDK (GroundingChunkImage) and the queries run.
  if (request.imageSearch) {
    chunks.push({
      image: {
        sourceUri: `https://images.example.com/page/${slug || 'topic'}-${h}`,
        imageUri: `https://images.example.com/img/${slug || 'topic'}-${h}.jpg`,
        title: subject,
        domain: 'images.example.com',
      },
    });
  }
  const grounding: Json = {
    searchEntryPoint: {
      renderedContent: `<style>.container{display:flex;gap:8px;font-family:sans-serif}.chip{border:1px solid #ddd;border-radius:16px;padding:4px 12px}</style><div class="container"><a class="chip" href="https://www.google.com/search?q=${encodeURIComponent(subject)}">${escapeHtml(subject)}</a></div>`,
    },
    groundingChunks: chunks,
    ...(web ? { webSearchQueries: [subject] } : {}),
    ...(request.imageSearch ? { imageSearchQueries: [subject] } : {}),
  };
  if (text) {
    grounding.groundingSupports = [
      {
        segment: { startIndex: 0, endIndex: Buffer.byteLength(text), text },
        groundingChunkIndices: chunks.map((_, i) => i),
      },
    ];
  }
  answer.grounding = grounding;
  answer.toolUse = 90 + (hash32(`tool\u0000${subject}`) % 120);
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function totals(segments: Segment[], upTo: number): { imageTokens: number; textTokens: number } {
  let imageTokens = 0;
  let textTokens = 0;
  for (const segment of segments.slice(0, upTo)) {
    imageTokens += segment.imageTokens;
    textTokens += segment.textTokens;
  }
  return { imageTokens, textTokens };
}

function usageAt(answer: Answer, segments: Segment[], upTo: number): Json {
  return usageMetadata({
    prompt: answer.prompt,
    ...totals(segments, upTo),
    thoughts: answer.thoughts,
    toolUse: answer.toolUse,
  });
}

export function toResponse(answer: Answer): Json {
  const candidate: Json = {
    content: { parts: answer.segments.flatMap((s) => s.parts), role: 'model' },
    finishReason: 'STOP',
    index: 0,
  };
  if (answer.grounding) candidate.groundingMetadata = answer.grounding;
  return {
    candidates: [candidate],
    usageMetadata: usageAt(answer, answer.segments, answer.segments.length),
    modelVersion: answer.modelVersion,
    responseId: answer.responseId,
  };
}

export function toStreamChunks(answer: Answer): Json[] {
  const segments = [...answer.segments];
  const lastSegment = segments.pop();
  if (lastSegment) segments.push(...(answer.splitLastText ? splitSegment(lastSegment) : [lastSegment]));
  const chunks: Json[] = segments.map((segment, i) => {
    const last = i === segments.length - 1 && !answer.trailingFinishChunk;
    const candidate: Json = { content: { parts: segment.parts, role: 'model' } };
    if (last) {
      candidate.finishReason = 'STOP';
      if (answer.grounding) candidate.groundingMetadata = answer.grounding;
    }
    candidate.index = 0;
    return {
      candidates: [candidate],
      usageMetadata: usageAt(answer, segments, i + 1),
      modelVersion: answer.modelVersion,
      responseId: answer.responseId,
    };
  });
  if (answer.trailingFinishChunk || chunks.length === 0) {
    const candidate: Json = { content: { role: 'model' }, finishReason: 'STOP', index: 0 };
    if (answer.grounding) candidate.groundingMetadata = answer.grounding;
    chunks.push({
      candidates: [candidate],
      usageMetadata: usageAt(answer, segments, segments.length),
      modelVersion: answer.modelVersion,
      responseId: answer.responseId,
    });
  }
  return chunks;
}

/** `promptFeedback` block: no candidates at all. */
export function blockedResponse(request: GenerateRequest, reason: string): Json {
  const answer = baseAnswer(request);
  return {
    promptFeedback: { blockReason: reason },
    usageMetadata: {
      promptTokenCount: answer.prompt.total,
      totalTokenCount: answer.prompt.total,
      promptTokensDetails: answer.prompt.details,
    },
    modelVersion: answer.modelVersion,
    responseId: answer.responseId,
  };
}

const FINISH_MESSAGES: Record<string, string> = {
  IMAGE_SAFETY:
    "Unable to show the generated image. The image was filtered out because it violated Google's Generative AI Prohibited Use policy. You will not be charged for blocked images. Try rephrasing the prompt.",
  IMAGE_PROHIBITED_CONTENT:
    'The model output could not be generated. The generated image was filtered out because it may contain prohibited content. You will not be charged for blocked images.',
  NO_IMAGE: 'The model did not generate an image. Try rephrasing the prompt.',
  IMAGE_OTHER: 'The model output could not be generated. Try again or rephrase the prompt.',
  IMAGE_RECITATION: 'The generated image was filtered out because it resembles existing content too closely.',
};

/** Candidate-level refusal: `content` with a role but no parts, a non-STOP finish reason and a finishMessage. */
export function refusedResponse(request: GenerateRequest, reason: string): Json {
  const answer = baseAnswer(request);
  const thoughts =
    request.model.kind === 'image' && !request.model.thinks ? 0 : thoughtTokens(request.thinkingLevel, request.prompt);
  const usage: Json = {
    promptTokenCount: answer.prompt.total,
    totalTokenCount: answer.prompt.total + thoughts,
    promptTokensDetails: answer.prompt.details,
  };
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  return {
    candidates: [
      {
        content: { role: 'model' },
        finishReason: reason,
        finishMessage: FINISH_MESSAGES[reason] ?? `The response was stopped with finish reason ${reason}.`,
        index: 0,
      },
    ],
    usageMetadata: usage,
    modelVersion: answer.modelVersion,
    responseId: answer.responseId,
  };
}
