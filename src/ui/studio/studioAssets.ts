/**
 * The studio's script (drop zone, live progress over server-sent events) and styles, served like the
 * dashboard's own assets (content-hashed, no inline code: the CSP forbids it).
 * @module
 */
export const STUDIO_SCRIPT = `(() => {
  const zone = document.querySelector('[data-dropzone]');
  if (zone) {
    const input = zone.querySelector('input[type=file]');
    const status = zone.querySelector('[data-drop-status]');
    const say = () => {
      const names = Array.from(input.files || []).map((f) => f.name);
      status.textContent = names.length ? names.length + ' image(s) to upload: ' + names.join(', ') : '';
    };
    input.addEventListener('change', say);
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      const all = new DataTransfer();
      for (const f of Array.from(input.files || [])) all.items.add(f);
      for (const f of Array.from(e.dataTransfer.files)) if (f.type.startsWith('image/')) all.items.add(f);
      input.files = all.files;
      say();
    });
  }
  const runs = document.querySelector('[data-runs]');
  if (runs && window.EventSource) {
    const live = document.querySelector('[data-runs-live]');
    const source = new EventSource('/ui/studio/events?ids=' + encodeURIComponent(runs.getAttribute('data-runs')));
    source.addEventListener('pipeline', (e) => {
      const p = JSON.parse(e.data);
      const item = runs.querySelector('[data-pipeline="' + p.id + '"]');
      if (!item) return;
      item.setAttribute('data-status', p.status);
      item.querySelector('[data-progress]').value = p.progress;
      item.querySelector('[data-state]').textContent = p.text;
      const err = item.querySelector('[data-error]');
      err.textContent = p.error || '';
      err.hidden = !p.error;
      const done = p.status === 'completed' || p.status === 'failed' || p.status === 'cancelled';
      item.querySelector('[data-cancel]').hidden = done;
      if (p.status === 'completed' && p.imageId) {
        const result = item.querySelector('[data-result]');
        const a = document.createElement('a');
        a.href = '/ui/images/' + p.imageId;
        const img = document.createElement('img');
        img.src = '/ui/thumb/' + p.imageId;
        img.alt = 'Result: image ' + p.imageId;
        img.width = 160;
        img.height = 160;
        a.appendChild(img);
        result.replaceChildren(a);
        result.hidden = false;
      }
      if (done && !item.hasAttribute('data-announced')) {
        item.setAttribute('data-announced', '');
        live.textContent = item.querySelector('h2').textContent + ': ' + p.text + (p.error ? ' — ' + p.error : '');
      }
    });
    source.addEventListener('end', () => source.close());
  }
})();
`;

export const STUDIO_STYLES = `
textarea { font: inherit; width: 100%; padding: .5rem .75rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); }
.options { display: flex; flex-wrap: wrap; gap: 0 1rem; }
.options .field { flex: 1 1 9rem; min-width: 0; }
main select, main input, main textarea { max-width: 100%; }
.options select { width: 100%; }
fieldset.refs { border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; min-width: 0; }
.dropzone input[type=file] { width: 100%; }
.dropzone { border: 2px dashed var(--line); border-radius: 8px; padding: 1rem; }
.dropzone.over { border-color: var(--accent); }
.picks { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
label.pick { display: block; position: relative; margin: 0; }
label.pick input { position: absolute; top: .25rem; left: .25rem; min-height: auto; width: 1.25rem; height: 1.25rem; }
label.pick img { display: block; border-radius: 6px; border: 3px solid transparent; object-fit: cover; }
label.pick input:checked + img { border-color: var(--accent); }
.inline-field { display: inline; margin: 0 0 0 .5rem; align-self: center; }
.concepts, .runs { list-style: none; padding: 0; }
.concept, .run { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
progress { width: 100%; height: 1rem; }
.error { color: var(--danger); }
.strip { display: flex; gap: .5rem; overflow-x: auto; list-style: none; padding: 0 0 .5rem; }
.strip li { flex: 0 0 auto; text-align: center; font-size: .8rem; }
.strip img { display: block; border-radius: 6px; border: 3px solid transparent; }
.strip [aria-current] img { border-color: var(--accent); }
.compare { display: grid; grid-template-columns: 1fr; gap: 1rem; }
@media (min-width: 40rem) { .compare { grid-template-columns: 1fr 1fr; } }
.compare img { max-width: 100%; height: auto; border-radius: 8px; border: 1px solid var(--line); }
.swatches { display: flex; gap: .25rem; list-style: none; padding: 0; margin: .25rem 0; flex-wrap: wrap; }
.swatches li { font-family: ui-monospace, monospace; font-size: .8rem; padding: .1rem .4rem; border: 1px solid var(--line); border-radius: 4px; }
.library-item { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
.library-item pre { white-space: pre-wrap; overflow-wrap: anywhere; }
`;
