/** Settings precedence, validation messages, model overrides and the per-model parameter rules. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromFlags, resolveConfig } from '../src/config/config.js';
import { defaultDataDir } from '../src/config/dataDir.js';
import { number } from '../src/config/envValues.js';
import { SETTINGS } from '../src/config/settings.js';
import { resolveGenerationOptions } from '../src/core/generationOptions.js';
import { createModelRegistry } from '../src/core/models.js';

describe('resolveConfig', () => {
  it('merges defaults < file < environment < flags', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nbs-config-'));
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ port: 1111, host: '0.0.0.0', defaultModel: 'pro', logLevel: 'warn' }));
    const config = resolveConfig({
      configFile: file,
      env: { STUDIO_PORT: '2222', STUDIO_DEFAULT_MODEL: 'lite' },
      flags: { port: 3333 },
    });
    expect(config.port).toBe(3333);
    expect(config.defaultModel).toBe('lite');
    expect(config.host).toBe('0.0.0.0');
    expect(config.logLevel).toBe('warn');
    expect(config.imageResponses).toBe('preview');
  });

  it('uses an absolute per-user data folder, never the working directory', () => {
    const config = resolveConfig({ env: { HOME: '/home/someone' } });
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config.dataDir).not.toBe(process.cwd());
    expect(defaultDataDir({}, 'linux')).toMatch(/\.local\/share\/nanobanana-studio$/);
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' }, 'linux')).toBe('/x/nanobanana-studio');
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/nanobanana-studio$/);
  });

  it('prefers GEMINI_API_KEY over GOOGLE_API_KEY', () => {
    expect(resolveConfig({ env: { GOOGLE_API_KEY: 'g', GEMINI_API_KEY: 'm' } }).apiKey).toBe('m');
    expect(resolveConfig({ env: { GOOGLE_API_KEY: 'g' } }).apiKey).toBe('g');
  });

  it.each([
    [{ STUDIO_PORT: 'x' }, /STUDIO_PORT="x": expected a number/],
    [{ STUDIO_IMAGE_RESPONSES: 'all' }, /Invalid setting "imageResponses"/],
    [{ GEMINI_BASE_URL: 'not a url' }, /Invalid setting "geminiBaseUrl"/],
    [{ STUDIO_MODEL_DALLE: 'x' }, /models\.dalle.*unknown model alias/],
    [{ STUDIO_PRICE_NB2_4K: 'cheap' }, /STUDIO_PRICE_NB2_4K="cheap": expected a number/],
  ])('names the bad setting (%j)', (env, pattern) => {
    expect(() => resolveConfig({ env })).toThrow(pattern);
  });

  it('reads every declared number variable, and names the variable when its value is not a number', () => {
    const numbers = Object.entries(SETTINGS).flatMap(([key, s]) => (s.read === number ? [[key, s.env ?? []]] : []));
    expect(numbers.length).toBeGreaterThan(15);
    for (const [key, names] of numbers as Array<[string, string[]]>) {
      for (const name of names) {
        expect(() => resolveConfig({ env: { [name]: 'x' } }), name).toThrow(
          `Invalid setting ${name}="x": expected a number.`,
        );
        expect(() => resolveConfig({ env: { [name]: '-1e9' } }), name).toThrow(`Invalid setting "${key}"`);
      }
    }
  });

  it('maps command-line flags to settings as the declaration says', () => {
    expect(configFromFlags({ port: '9', 'allowed-hosts': ' a, ,b ', emulator: true, 'log-level': 'warn' })).toEqual({
      port: 9,
      allowedHosts: ['a', 'b'],
      emulator: true,
      logLevel: 'warn',
    });
    expect(configFromFlags({ 'allowed-roots': ['/a', '/b'].join(path.delimiter) }).allowedRoots).toEqual(['/a', '/b']);
    expect(() => configFromFlags({ port: 'x' })).toThrow('--port expects a number, got "x".');
  });

  it('overrides model ids and prices from the environment, keeping the old id as an alias', () => {
    const config = resolveConfig({ env: { STUDIO_MODEL_PRO: 'gemini-4-pro-image', STUDIO_PRICE_NB2_4K: '0.2' } });
    const registry = createModelRegistry(config.models);
    expect(registry.resolve('pro')?.id).toBe('gemini-4-pro-image');
    expect(registry.resolve('gemini-3-pro-image')?.alias).toBe('pro');
    expect(registry.resolve('nb2')?.pricePerImage['4K']).toBe(0.2);
    expect(registry.resolve('nb2')?.pricePerImage['1K']).toBe(0.067);
  });
});

describe('model registry', () => {
  const registry = createModelRegistry();
  it.each([
    ['nb2', 'gemini-3.1-flash-image'],
    ['FLASH', 'gemini-3.1-flash-image'],
    ['gemini-3.1-flash-image-preview', 'gemini-3.1-flash-image'],
    ['models/gemini-3-pro-image', 'gemini-3-pro-image'],
    ['gemini-3-pro-image-preview', 'gemini-3-pro-image'],
    ['Nano Banana Pro', 'gemini-3-pro-image'],
    ['lite', 'gemini-3.1-flash-lite-image'],
    ['nb1', 'gemini-2.5-flash-image'],
    ['nb2.1', 'gemini-nano-banana-2.1'],
  ])('resolves %s to %s', (name, id) => {
    expect(registry.resolve(name)?.id).toBe(id);
  });

  it('defaults to Nano Banana 2.1 at 1K, 1:1 (the default for new projects, gemini-api.md item 5)', () => {
    const options = resolveGenerationOptions(registry, {});
    expect([options.model.alias, options.imageSize, options.aspectRatio]).toEqual(['nb2.1', '1K', '1:1']);
  });

  it('a per-user default that is retired falls back to its replacement with a note; named, it is refused', () => {
    // The per-user default reaches the options as `fallbacks.defaultModel` (src/server/mcpServerFactory.ts).
    const options = resolveGenerationOptions(registry, {}, { defaultModel: 'nb1' });
    expect(options.model.alias).toBe('nb2.1');
    expect(options.notices).toEqual([
      expect.stringMatching(
        /^The default model nb1 \(Nano Banana \(legacy\), gemini-2\.5-flash-image\) is retired \(shut down on 2026-10-02\); used nb2\.1/,
      ),
    ]);
    expect(() => resolveGenerationOptions(registry, { model: 'nb1' })).toThrow(/is retired.*model: "nb2\.1"/);
    // A replacement chain: nb1 → nb2 (if it were nb1's replacement) → nb2.1, skipping the retired nb2.
    const chained = createModelRegistry({ nb1: { replacement: 'nb2' } });
    expect(chained.replacementOf(chained.resolve('nb1') as never)?.alias).toBe('nb2.1');
    // Dates decide: before nb2's shutdown it is only deprecated, and the result says so.
    const october = createModelRegistry({}, 'nb2', { now: () => Date.parse('2026-10-20T00:00:00Z') });
    const deprecated = resolveGenerationOptions(october, {});
    expect(deprecated.model.alias).toBe('nb2');
    expect(deprecated.notices[0]).toMatch(
      /is deprecated since 2026-10-06 and is due to be shut down on 2026-10-29\. Switch to nb2\.1\./,
    );
  });

  it('normalises sizes and ratios people type', () => {
    const options = resolveGenerationOptions(registry, { imageSize: '4k', aspectRatio: '16x9' });
    expect([options.imageSize, options.aspectRatio]).toEqual(['4K', '16:9']);
    // Only 3.1 Flash Image takes 512; it is retired after 2026-10-29 unless the lifecycle says otherwise.
    const nb2Served = createModelRegistry({ nb2: { shutdown: null } });
    expect(resolveGenerationOptions(nb2Served, { model: 'nb2', imageSize: '512px' }).imageSize).toBe('512');
  });
});
