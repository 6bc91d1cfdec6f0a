/** The Create page: prompt and options, references (drop or pick), concepts, and the run page with progress. */
import { html } from 'hono/html';
import { ALL_ASPECT_RATIOS, IMAGE_SIZES, type ModelRegistry } from '../../core/models.js';
import type { ConceptRecord, PipelineRecord } from '../../core/pipelines/types.js';
import type { ImageRecord } from '../../core/ports.js';
import { csrfField, type Html } from '../layout.js';
import type { Viewer } from '../viewer.js';

export interface CreateChoices {
  registry: ModelRegistry;
  styles: Array<{ name: string; scope: string }>;
  palettes: Array<{ name: string; scope: string; colours: string[] }>;
  recent: ImageRecord[];
}

/** The options every create form carries (also the concept forms, so a concept is made the same way). */
export function optionFields(choices: CreateChoices, form: Record<string, string>, idPrefix: string): Html {
  const sel = (value: string | undefined, option: string) => (value === option ? html` selected` : '');
  const id = (name: string) => `${idPrefix}-${name}`;
  return html`<div class="options">
<div class="field"><label for="${id('model')}">Model</label>
<select id="${id('model')}" name="model"><option value="">Default</option>${choices.registry.models.map(
    (m) => html`<option value="${m.alias}"${sel(form.model, m.alias)}>${m.name} (${m.alias})</option>`,
  )}</select></div>
<div class="field"><label for="${id('size')}">Size</label>
<select id="${id('size')}" name="image_size"><option value="">Default</option>${IMAGE_SIZES.map(
    (s) => html`<option${sel(form.image_size, s)}>${s}</option>`,
  )}</select></div>
<div class="field"><label for="${id('ratio')}">Aspect ratio</label>
<select id="${id('ratio')}" name="aspect_ratio"><option value="">Default (1:1)</option>${ALL_ASPECT_RATIOS.map(
    (r) => html`<option${sel(form.aspect_ratio, r)}>${r}</option>`,
  )}</select></div>
<div class="field"><label for="${id('n')}">Images</label>
<select id="${id('n')}" name="n">${['1', '2', '3', '4'].map((n) => html`<option${sel(form.n ?? '1', n)}>${n}</option>`)}</select></div>
<div class="field"><label for="${id('style')}">Style</label>
<select id="${id('style')}" name="style"><option value="">None</option>${choices.styles.map(
    (s) =>
      html`<option value="${s.name}"${sel(form.style, s.name)}>${s.name}${s.scope === 'team' ? ' (team)' : ''}</option>`,
  )}</select></div>
<div class="field"><label for="${id('palette')}">Brand palette</label>
<select id="${id('palette')}" name="palette"><option value="">None</option>${choices.palettes.map(
    (p) =>
      html`<option value="${p.name}"${sel(form.palette, p.name)}>${p.name}${p.scope === 'team' ? ' (team)' : ''}: ${p.colours.join(' ')}</option>`,
  )}</select></div>
<div class="field"><label class="check"><input type="checkbox" name="enhance" id="${id('enhance')}"${form.enhance === 'on' ? html` checked` : ''}> Enhance (a second pass; twice the cost)</label></div>
</div>`;
}

export function createBody(viewer: Viewer, choices: CreateChoices, form: Record<string, string>): Html {
  const picked = new Set((form.picked ?? '').split(',').filter(Boolean));
  return html`<h1>Create</h1>
<form class="create" method="post" action="/ui/studio/generate" enctype="multipart/form-data" data-studio-create>
${csrfField(viewer)}
<div class="field"><label for="prompt">Prompt</label>
<textarea id="prompt" name="prompt" rows="4" maxlength="8192" aria-describedby="prompt-help">${form.prompt ?? ''}</textarea>
<p id="prompt-help" class="muted">What to draw: subject, setting, style, light. Or propose concepts first and pick one.</p></div>
${optionFields(choices, form, 'create')}
<fieldset class="refs"><legend>References (optional)</legend>
<div class="dropzone" data-dropzone tabindex="-1">
<label for="files">Upload images (or drop them here)</label>
<input id="files" name="files[]" type="file" accept="image/png,image/jpeg,image/webp,image/gif" multiple>
<p class="muted" data-drop-status role="status" aria-live="polite"></p>
</div>
${
  choices.recent.length > 0
    ? html`<p>Or pick from your gallery:</p><ul class="picks">${choices.recent.map(
        (r) =>
          html`<li><label class="pick"><input type="checkbox" name="ref[]" value="${r.id}"${picked.has(r.id) ? html` checked` : ''}><img src="/ui/thumb/${r.id}" alt="" width="96" height="96" loading="lazy"><span class="sr-only">Use image ${r.id} (${r.prompt}) as a reference</span></label></li>`,
      )}</ul>`
    : ''
}
</fieldset>
<div class="actions">
<button type="submit">Generate</button>
<button class="secondary" type="submit" formaction="/ui/studio/concepts" formenctype="multipart/form-data">Propose concepts</button>
<label class="inline-field" for="concept-count">Concepts</label>
<select id="concept-count" name="count">${['1', '2', '3', '4'].map((n) => html`<option${(form.count ?? '3') === n ? html` selected` : ''}>${n}</option>`)}</select>
</div>
</form>`;
}

export function conceptsBody(
  viewer: Viewer,
  choices: CreateChoices,
  result: { conversationId: string; concepts: ConceptRecord[] },
  form: Record<string, string>,
): Html {
  return html`<p><a href="/ui/studio">← Back to Create</a></p>
<h1>Concepts</h1>
<p class="muted">Pick one to generate, or say what to change and get new ones.</p>
<ol class="concepts">${result.concepts.map(
    (c, i) => html`<li class="concept"><h2 id="concept-${i}">${c.title}</h2>
<p>${c.refinedPrompt}</p>
<p class="muted">Keywords: ${c.keywords.join(', ')}</p>
<form method="post" action="/ui/studio/generate" aria-labelledby="concept-${i}">
${csrfField(viewer)}
<input type="hidden" name="concept_id" value="${c.id}">
<div class="field"><label for="refine-${i}">Tweak (optional)</label><input id="refine-${i}" name="refinement" maxlength="2000"></div>
${optionFields(choices, form, `concept-${i}`)}
<button type="submit">Generate from “${c.title}”</button>
</form></li>`,
  )}</ol>
<h2>Refine the concepts</h2>
<form method="post" action="/ui/studio/concepts">
${csrfField(viewer)}
<input type="hidden" name="conversation_id" value="${result.conversationId}">
<input type="hidden" name="count" value="${String(result.concepts.length)}">
<div class="field"><label for="feedback">Feedback</label><textarea id="feedback" name="prompt" rows="2" required maxlength="4000"></textarea></div>
<button type="submit">Refine</button>
</form>`;
}

export function runBody(viewer: Viewer, records: PipelineRecord[]): Html {
  const ids = records.map((r) => r.id).join(',');
  return html`<p><a href="/ui/studio">← Create more</a> · <a href="/ui">Gallery</a></p>
<h1>Making ${records.length === 1 ? 'your image' : `${records.length} images`}</h1>
<ul class="runs" data-runs="${ids}">${records.map((r, i) => runItem(viewer, r, i, records.length))}</ul>
<p class="muted" data-runs-live role="status" aria-live="polite"></p>`;
}

function runItem(viewer: Viewer, r: PipelineRecord, i: number, n: number): Html {
  const done = ['completed', 'failed', 'cancelled'].includes(r.status);
  const label = n > 1 ? `Image ${i + 1} of ${n}` : 'Image';
  return html`<li class="run" data-pipeline="${r.id}" data-status="${r.status}">
<h2 id="run-${r.id}">${label}</h2>
<progress max="100" value="${String(r.progressPercent)}" aria-labelledby="run-${r.id}" data-progress></progress>
<p data-state>${stateText(r)}</p>
<p class="error" data-error${r.error ? '' : html` hidden`}>${r.error ?? ''}</p>
<p data-result${r.status === 'completed' && r.resultImageId ? '' : html` hidden`}>${
    r.status === 'completed' && r.resultImageId
      ? html`<a href="/ui/images/${r.resultImageId}"><img src="/ui/thumb/${r.resultImageId}" alt="Result of ${label}" width="160" height="160"></a>`
      : ''
  }</p>
<form method="post" action="/ui/studio/pipelines/${r.id}/cancel" data-cancel${done ? html` hidden` : ''}>
${csrfField(viewer)}<button class="secondary" type="submit" aria-describedby="run-${r.id}">Cancel</button>
</form>
</li>`;
}

export function stateText(r: Pick<PipelineRecord, 'status' | 'stage' | 'progressPercent'>): string {
  if (r.status === 'running') return `Running: ${r.stage ?? 'starting'} (${r.progressPercent}%)`;
  if (r.status === 'queued') return 'Waiting in the queue';
  return r.status === 'completed' ? 'Done' : r.status === 'cancelled' ? 'Cancelled' : 'Failed';
}
