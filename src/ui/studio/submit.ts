/**
 * What the studio's Create and Edit forms do, through the same core functions as the MCP tools
 * (generate_image, edit_image, propose_concepts): plan with the studio (validation, references), submit to
 * the pipeline engine (rate limit, budgets, fair queue). Nothing here that a person could not do over MCP.
 * @module
 */
import { InvalidInputError } from '../../core/errors.js';
import type { PipelineEngine } from '../../core/pipelines/engine.js';
import type { ImagePipelineSpec } from '../../core/pipelines/spec.js';
import type { PipelineRecord } from '../../core/pipelines/types.js';
import type { CallContext, CommonImageOptions, Studio } from '../../core/studio.js';

/** The Create form's fields (all strings, as posted). */
export type StudioForm = Record<string, string>;

export interface UploadedFile {
  name: string;
  type: string;
  data: Buffer;
}

export const MAX_FORM_FILES = 14;

/** Uploads dropped on the form (kept as the person's uploads, like upload_file) and gallery picks, as references. */
export async function referencesOf(
  studio: Studio,
  form: StudioForm,
  picked: string[],
  files: UploadedFile[],
  call: CallContext,
): Promise<string[]> {
  if (files.length + picked.length > MAX_FORM_FILES)
    throw new InvalidInputError(
      `At most ${MAX_FORM_FILES} reference images; ${files.length + picked.length} were given.`,
    );
  const ids = [...picked.map((s) => s.trim()).filter(Boolean)];
  if (files.length > 0) {
    if (!studio.uploads) throw new InvalidInputError('This server does not keep uploaded files.');
    for (const file of files) {
      const { upload } = await studio.uploads.upload({
        ownerId: call.ownerId,
        data: file.data,
        mimeType: file.type || undefined,
        displayName: file.name || undefined,
      });
      ids.push(upload.id);
    }
  }
  for (const id of (form.references ?? '').split(/[\s,]+/).filter(Boolean)) ids.push(id);
  return [...new Set(ids)];
}

function commonOptions(form: StudioForm, references: string[]): CommonImageOptions {
  const opt = (name: string) => (form[name]?.trim() ? form[name]?.trim() : undefined);
  return {
    model: opt('model'),
    imageSize: opt('image_size'),
    aspectRatio: opt('aspect_ratio'),
    negativePrompt: opt('negative_prompt'),
    referenceImages: references.length > 0 ? references : undefined,
  };
}

async function paletteOf(studio: Studio, form: StudioForm, call: CallContext): Promise<string[] | undefined> {
  const value = form.palette?.trim();
  if (!value) return undefined;
  if (!studio.library) throw new InvalidInputError('This server keeps no palettes.');
  return studio.library.resolvePalette(value, call);
}

/** generate_image from the Create form (a prompt, or a concept with an optional refinement). */
export async function submitGeneration(
  studio: Studio,
  engine: PipelineEngine,
  form: StudioForm,
  references: string[],
  call: CallContext,
  autoStyleDefault: boolean,
): Promise<PipelineRecord[]> {
  let prompt = form.prompt?.trim() ?? '';
  let conceptId: string | undefined;
  if (form.concept_id) {
    const concept = await engine.concept(form.concept_id, call);
    conceptId = concept.id;
    const refinement = form.refinement?.trim();
    prompt = refinement ? `${concept.refinedPrompt}\n\nRefinement: ${refinement}` : concept.refinedPrompt;
  }
  if (!prompt) throw new InvalidInputError('Write a prompt (what to draw), or pick a concept.');
  const n = Number.parseInt(form.n || '1', 10);
  if (!Number.isInteger(n) || n < 1 || n > 4) throw new InvalidInputError('Make 1 to 4 images at a time.');
  const jobs = await studio.planGeneration({ prompt, n, ...commonOptions(form, references) }, call);
  const style = form.style?.trim() ? await studio.library?.resolveStyle(form.style.trim(), call) : undefined;
  const autoStyle = Boolean(style) || (!conceptId && (form.auto_style ? form.auto_style === 'on' : autoStyleDefault));
  const palette = await paletteOf(studio, form, call);
  const specs: ImagePipelineSpec[] = jobs.map((job) => ({
    job,
    autoStyle,
    enhance: form.enhance === 'on',
    conceptId,
    style,
    palette,
  }));
  return engine.submit(specs, call);
}

/** edit_image from an image page. */
export async function submitEdit(
  studio: Studio,
  engine: PipelineEngine,
  imageId: string,
  form: StudioForm,
  call: CallContext,
): Promise<PipelineRecord[]> {
  const instruction = form.instruction?.trim() ?? '';
  if (!instruction) throw new InvalidInputError('Say what to change in the image.');
  const job = await studio.planEdit({ image: imageId, instruction, ...commonOptions(form, []) }, call);
  const palette = await paletteOf(studio, form, call);
  return engine.submit([{ job, autoStyle: false, enhance: form.enhance === 'on', palette }], call);
}
