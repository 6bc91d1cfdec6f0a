/**
 * The dashboard a newcomer finds (issue 13), in headless Chromium against the built server with sign-in
 * off: `/` leads to it; thumbnails keep each image's shape (21:9 and 9:16 fitted, not centre-cropped);
 * emulator images are marked "emulated" and cost $0 on the gallery, the image page and the Costs page; the
 * per-day cost chart writes its values. Screenshots land in test-results/screenshots/.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { browserSkipNote, chromiumMissing, screenshot as shot, useBrowser } from './helpers/browser.js';
import { textOf } from './helpers/studio.js';
import { type UsedStudio, useEmulator, useStudio } from './helpers/useStudio.js';

const SKIP_NOTE = browserSkipNote('tests/dashboardDemo.spec.ts');
const browser = useBrowser();
const emu = useEmulator();

async function make(studio: UsedStudio, prompt: string, aspect_ratio: string): Promise<void> {
  const made = await studio.client.callTool({ name: 'generate_image', arguments: { prompt, aspect_ratio } });
  expect(made.isError, textOf(made)).toBeFalsy();
}

describe.skipIf(chromiumMissing)(`the dashboard of the offline demo${SKIP_NOTE}`, () => {
  const studio = useStudio('http', { apiKey: null, args: ['--emulator'] });
  beforeAll(async () => {
    await make(studio, 'a panoramic mountain ridge', '21:9');
    await make(studio, 'a tall lighthouse', '9:16');
    await make(studio, 'a square tile', '1:1');
  });

  it('/ leads to the gallery; thumbnails keep their shape; images say emulated and $0', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    try {
      await page.goto(`${studio.url}/`);
      expect(new URL(page.url()).pathname).toBe('/ui');
      // Thumbnails are made on demand (and lazy-loaded): wait until each has arrived.
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>('.grid img')].every(
          (img) => img.complete && img.naturalWidth > 0,
        ),
      );
      const thumbs = await page.locator('.grid img').evaluateAll((imgs) =>
        (imgs as HTMLImageElement[]).map((img) => ({
          alt: img.alt,
          natural: img.naturalWidth / img.naturalHeight,
          declared: Number(img.getAttribute('width')) / Number(img.getAttribute('height')),
          fit: getComputedStyle(img).objectFit,
        })),
      );
      const ratio = (alt: string) => thumbs.find((t) => t.alt === alt);
      expect(ratio('a panoramic mountain ridge')?.natural).toBeCloseTo(21 / 9, 1);
      expect(ratio('a panoramic mountain ridge')?.declared).toBeCloseTo(21 / 9, 1);
      expect(ratio('a tall lighthouse')?.natural).toBeCloseTo(9 / 16, 1);
      expect(ratio('a tall lighthouse')?.declared).toBeCloseTo(9 / 16, 1);
      for (const t of thumbs) expect(t.fit).toBe('contain');
      await expect(page.locator('.grid .badge', { hasText: 'emulated' }).count()).resolves.toBe(3);
      await expect(page.locator('.grid').textContent()).resolves.toContain('$0.00');
      await shot(page, 'demo-gallery-fit');

      await page.locator('a', { has: page.locator('img[alt="a tall lighthouse"]') }).click();
      await expect(page.locator('dl.facts').textContent()).resolves.toMatch(
        /\$0\.00 ?emulated a synthetic image from the offline emulator/,
      );
      await shot(page, 'demo-image-page');

      await page.goto(`${studio.url}/ui/costs`);
      const totals = await page.locator('ul.totals').textContent();
      expect(totals).toMatch(/Emulated \(free\)\s*3/);
      expect(totals).toMatch(/All time\s*\$0\.00/);
      await shot(page, 'demo-costs');
    } finally {
      await page.close();
    }
  });
});

describe.skipIf(chromiumMissing)(`the cost chart${SKIP_NOTE}`, () => {
  // Not the built-in emulator: Gemini is the emulator on loopback, so the images are billed at list price.
  const studio = useStudio('http', { emulator: emu });
  beforeAll(async () => {
    await make(studio, 'a billed harbour', '16:9');
    await make(studio, 'another billed harbour', '1:1');
  });

  it('writes the value of each day over its column', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    try {
      await page.goto(`${studio.url}/ui/costs`);
      const values = await page.locator('svg.chart text.value').allTextContents();
      const today = Number(/\$(\d+\.\d+)/.exec(values.at(-1) ?? '')?.[1]);
      expect(values.length).toBeGreaterThanOrEqual(1);
      expect(today).toBeGreaterThan(0.06); // two Nano Banana 2.1 images at $0.0336 list price
      await expect(page.locator('ul.totals').textContent()).resolves.not.toContain('Emulated');
      await shot(page, 'costs-chart-values');
    } finally {
      await page.close();
    }
  });
});
