/**
 * Helpers for tests/emulator.spec.ts: a real `@google/genai` client pointed at the emulator, and small readers
 * for what the SDK returns or throws. Nothing here mocks anything.
 */
import type { GenerateContentResponse, HttpOptions, Part } from '@google/genai';
import { ApiError, GoogleGenAI } from '@google/genai';
import sharp from 'sharp';
import type { Emulator } from '../../src/emulator/index.js';

export function sdk(emulator: Emulator, httpOptions: HttpOptions = {}, apiKey = 'test-key'): GoogleGenAI {
  return new GoogleGenAI({ apiKey, apiVersion: 'v1beta', httpOptions: { baseUrl: emulator.url, ...httpOptions } });
}

export function partsOf(response: GenerateContentResponse): Part[] {
  return response.candidates?.[0]?.content?.parts ?? [];
}

/** The answer image: the last non-thought inlineData part. */
export function finalImage(response: GenerateContentResponse): { bytes: Buffer; mimeType: string; part: Part } {
  const part = partsOf(response)
    .filter((p) => p.inlineData && p.thought !== true)
    .at(-1);
  if (!part?.inlineData?.data) throw new Error('no final image in the response');
  return { bytes: Buffer.from(part.inlineData.data, 'base64'), mimeType: part.inlineData.mimeType ?? '', part };
}

export async function decode(bytes: Buffer): Promise<{ format: string; width: number; height: number }> {
  const meta = await sharp(bytes).metadata();
  return { format: meta.format ?? '', width: meta.width ?? 0, height: meta.height ?? 0 };
}

export function sniff(bytes: Buffer): 'jpeg' | 'png' | 'other' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'png';
  return 'other';
}

export interface GoogleErrorBody {
  code: number;
  message: string;
  status: string;
  details?: Array<Record<string, unknown>>;
}

/** Awaits a rejection and returns whatever was thrown. */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Awaits an ApiError and returns its HTTP status and the parsed Google error envelope. */
export async function apiError(promise: Promise<unknown>): Promise<{ status: number; error: GoogleErrorBody }> {
  const thrown = await caught(promise);
  if (!(thrown instanceof ApiError)) throw new Error(`expected ApiError, got ${String(thrown)}`);
  const json = thrown.message.replace(/^got status: [A-Z_]+\. /, '');
  return { status: thrown.status, error: (JSON.parse(json) as { error: GoogleErrorBody }).error };
}

/** POST/GET/DELETE to the emulator's control surface. */
export async function control(emulator: Emulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${emulator.url}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status}: ${await res.text()}`);
  return res.json();
}

/** A tiny real PNG to use as a reference image. */
export async function tinyPng(color = '#fc0'): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 8, channels: 3, background: color } })
    .png()
    .toBuffer();
}
