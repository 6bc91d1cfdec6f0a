#!/usr/bin/env node
// Bundles the in-chat gallery (src/app/, an MCP Apps view) into one self-contained HTML file,
// dist/app/gallery.html, that the server serves as ui://nanobanana/gallery.html. Hosts load that HTML
// in a sandboxed iframe with no network by default, so the script and styles are inlined.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, transform } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src/app');
const OUT = path.join(ROOT, 'dist/app/gallery.html');

// The view needs zod only to check protocol messages; its ~250 KB of translated error messages are dead
// weight here. If zod moves that import, the stub simply stops matching and the bundle grows.
const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`) ? { path: 'zod-locales', namespace: 'stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const [bundle, css, template] = await Promise.all([
  build({
    entryPoints: [path.join(SRC, 'gallery.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox113', 'safari16.4'],
    legalComments: 'none',
    write: false,
    logLevel: 'warning',
    plugins: [noZodLocales],
  }),
  readFile(path.join(SRC, 'gallery.css'), 'utf8').then((text) => transform(text, { loader: 'css', minify: true })),
  readFile(path.join(SRC, 'gallery.html'), 'utf8'),
]);

// Inline script: "</script" must not appear in it (esbuild already escapes it in strings; be sure).
const js = bundle.outputFiles[0].text.replaceAll('</script', '<\\/script');
if (js.includes('<!--')) throw new Error('buildApp: the bundle contains "<!--", which breaks an inline <script>');
const html = template.replace('/*__CSS__*/', () => css.code.trim()).replace('/*__JS__*/', () => js.trim());
if (html.includes('__CSS__') || html.includes('__JS__')) throw new Error('buildApp: template placeholders left');

await mkdir(path.dirname(OUT), { recursive: true });
await writeFile(OUT, html);
// tsc compiles src/app/ too (for type checking); only the bundle is served, so drop its module output
// (every module of the view: the entry point and the files it imports).
const compiled = (await readdir(path.dirname(OUT))).filter((f) => /\.js(\.map)?$/.test(f));
await Promise.all(compiled.map((f) => rm(path.join(path.dirname(OUT), f), { force: true })));
process.stderr.write(
  `app: ${path.relative(ROOT, OUT)} ${(Buffer.byteLength(html) / 1024).toFixed(0)} KB (script ${(Buffer.byteLength(js) / 1024).toFixed(0)} KB)\n`,
);
