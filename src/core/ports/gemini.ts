/**
 * The port through which core reaches Gemini: requests, results, token usage and uploaded files. `src/gemini/` implements it.
 * @module
 */
/** A JSON-safe Gemini `Content` (`{role, parts}`), kept verbatim for multi-turn editing. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** A JSON-safe Gemini part. Only the fields we send or keep are typed; others are carried through. */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { fileUri: string; mimeType: string };
  [key: string]: unknown;
}

export type ReferenceImage =
  | { kind: 'inline'; data: Buffer; mimeType: string }
  | { kind: 'file'; uri: string; mimeType: string };

export interface GenerateImageRequest {
  /** Wire id, e.g. `gemini-3.1-flash-image`. */
  model: string;
  prompt: string;
  negativePrompt?: string;
  systemInstruction?: string;
  aspectRatio?: string;
  /** Wire value (`512`, `1K`, `2K`, `4K`); omitted for models that take no size. */
  imageSize?: string;
  referenceImages?: ReferenceImage[];
  /** Wire value, upper case (`MINIMAL`, `HIGH`, …). */
  thinkingLevel?: string;
  /** Ask for Google Search grounding (`tools: [{googleSearch: {}}]`). */
  grounding?: boolean;
  /** Earlier turns of this image's conversation, sent before the new user turn (multi-turn edit). */
  history?: GeminiContent[];
  seed?: number;
  signal?: AbortSignal;
  /** Called before each attempt after the first, with the delay about to be waited. */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface TokenUsage {
  promptTokens: number;
  /** Output tokens of modality IMAGE (the billed image tokens). */
  imageTokens: number;
  /** All candidate (output) tokens, text and image. */
  candidatesTokens: number;
  thoughtsTokens: number;
  totalTokens: number;
}

export interface GroundingSource {
  uri: string;
  title?: string;
}

export interface GenerateImageResult {
  /** The final (non-thought) image. */
  data: Buffer;
  /** The real type, sniffed from the bytes (`image/jpeg`, `image/png`, `image/webp`). */
  mimeType: string;
  /** What Gemini said the type was (Gemini 3 labels JPEG bytes `image/png`). */
  declaredMimeType: string;
  /** Non-thought text the model said alongside the image, if any. */
  text?: string;
  usage: TokenUsage;
  /**
   * The conversation to continue from this image: the request's history, the user turn just sent and
   * the model turn received (thought text and signatures kept, thought images dropped).
   */
  history: GeminiContent[];
  modelVersion?: string;
  responseId?: string;
  groundingSources?: GroundingSource[];
  /** How many attempts the call took (1 when the first succeeded). */
  attempts: number;
}

export interface UploadedFile {
  /** `files/<id>` */
  name: string;
  uri: string;
  mimeType: string;
  sizeBytes: number;
  expiresAt?: string;
  state?: string;
}

export interface ImageGenerator {
  generateImage(request: GenerateImageRequest): Promise<GenerateImageResult>;
}
