/**
 * The in-chat gallery, an MCP Apps view (`ui://nanobanana/gallery.html`): the images of a generate_image,
 * edit_image or get_image call at full quality with their size, model and cost; live progress while a
 * pipeline still runs; buttons for a variation, an edit, an upscale and a download, which call the server's
 * app-only tools through the host. Vanilla TypeScript on the ext-apps `App` class, themed by the host.
 * This file wires the host's events and the buttons; results.ts reads tool results (their machine-readable
 * parts only) and view.ts draws. scripts/buildApp.mjs bundles them with gallery.html and gallery.css into
 * one self-contained HTML file.
 */
import { App } from '@modelcontextprotocol/ext-apps';
import { showResult, type ToolResult } from './results.js';
import {
  actionControls,
  announce,
  applyHostContext,
  type GalleryImage,
  hideError,
  messageOf,
  onThumbKey,
  ready,
  setBusy,
  showError,
  showProgress,
  state,
  truncate,
  ui,
} from './view.js';

/** Images made with the buttons, told to the assistant for later turns. */
const madeHere: string[] = [];

const app = new App({ name: 'nanobanana-gallery', version: '1.0.0' }, {}, { autoResize: true });

app.ontoolinput = ({ arguments: args }) => {
  const what = args?.prompt ?? args?.instruction;
  if (!state.gotResult && typeof what === 'string') {
    announce(`Working on “${truncate(what, 80)}”…`);
    showProgress(undefined);
  }
};
app.ontoolresult = (result) => {
  state.gotResult = true;
  void run(async () => {
    const shown = await showResult(app, result as ToolResult);
    if (shown.length > 0) announce(ready(shown));
  });
};
app.ontoolcancelled = () => {
  state.gotResult = true;
  showProgress(null);
  announce('The request was cancelled.');
  setBusy(0);
};
app.onhostcontextchanged = (context) => applyHostContext(context);
app.onteardown = async () => {
  state.closed = true;
  return {};
};

ui.variation.addEventListener('click', () => void act('Variation', 'app_variation', {}));
// No <form>: hosts' sandboxes need not allow form submission, so Enter and the button are wired directly.
ui.editButton.addEventListener('click', () => void edit());
ui.instruction.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.isComposing) return;
  event.preventDefault();
  void edit();
});
for (const button of [ui.upscale2k, ui.upscale4k]) {
  const size = button.dataset.size ?? '2K';
  button.addEventListener('click', () => void act(`Upscale to ${size}`, 'app_upscale', { size }));
}
ui.download.addEventListener('click', () => void download());
ui.thumbs.addEventListener('keydown', onThumbKey);

await app.connect();
applyHostContext(app.getHostContext());
if (!app.getHostCapabilities()?.serverTools) {
  for (const control of actionControls) control.hidden = true;
  ui.instruction.labels?.forEach((label) => {
    label.hidden = true;
  });
}

// --- Actions ------------------------------------------------------------------------------------------

/** Runs a button's app-only tool on the image on show; resolves true when it made an image. */
async function act(label: string, tool: string, args: Record<string, unknown>): Promise<boolean> {
  const image = state.images[state.selected];
  if (!image || state.busy > 0) return false;
  let made: GalleryImage[] = [];
  await run(async () => {
    announce(`${label}: working…`);
    showProgress(undefined);
    const result = (await app.callServerTool({ name: tool, arguments: { image: image.id, ...args } })) as ToolResult;
    made = await showResult(app, result);
    if (made.length > 0) {
      announce(ready(made, label));
      for (const m of made) madeHere.push(`${m.id} (${label.toLowerCase()} of ${image.id})`);
      tellModel();
    }
  });
  return made.length > 0;
}

async function edit(): Promise<void> {
  const instruction = ui.instruction.value.trim();
  if (!instruction) {
    announce('Type what to change in the image, then choose Edit.');
    ui.instruction.focus();
    return;
  }
  if (await act(`Edit “${truncate(instruction, 60)}”`, 'app_edit', { instruction })) ui.instruction.value = '';
}

/** Lets the assistant know, for later turns, which images the person made in the gallery. */
function tellModel(): void {
  if (!app.getHostCapabilities()?.updateModelContext) return;
  const text = `Images the person made with the in-chat gallery buttons (use these ids to refer to them): ${madeHere.join('; ')}.`;
  app.updateModelContext({ content: [{ type: 'text', text }] }).catch(() => undefined);
}

async function download(): Promise<void> {
  const image = state.images[state.selected];
  if (!image) return;
  const name = `${image.id}.${extension(image.mimeType)}`;
  try {
    if (image.data && app.getHostCapabilities()?.downloadFile) {
      const { isError } = await app.downloadFile({
        contents: [
          { type: 'resource', resource: { uri: `file:///${name}`, mimeType: image.mimeType, blob: image.data } },
        ],
      });
      announce(isError ? 'The download was cancelled.' : `Downloading ${name}.`);
      return;
    }
    if (image.summary.url && app.getHostCapabilities()?.openLinks) {
      await app.openLink({ url: image.summary.url });
      return;
    }
    const link = document.createElement('a');
    link.href = image.src;
    link.download = name;
    link.click();
  } catch (error) {
    showError(`The download failed: ${messageOf(error)}`);
  }
}

async function run(task: () => Promise<void>): Promise<void> {
  setBusy(state.busy + 1);
  hideError();
  try {
    await task();
  } catch (error) {
    showError(messageOf(error));
  } finally {
    setBusy(state.busy - 1);
    if (state.busy === 0) showProgress(null);
  }
}

function extension(mimeType: string): string {
  return mimeType === 'image/jpeg' ? 'jpg' : (mimeType.split('/')[1] ?? 'png');
}
